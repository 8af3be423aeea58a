namespace ChatTts.Edge.Admission.Fleet;

/// <summary>
/// The Lua scripts of the fleet's GPU slots and queue. Every key shares the hash tag <c>{admission}</c> (one
/// Redis Cluster slot); every script reads Redis's own clock (<c>TIME</c>), so replicas with skewed clocks agree.
/// <list type="bullet">
/// <item><c>…:slots:&lt;destination&gt;</c>: a sorted set of the destination's slot leases, scored by their expiry (ms).</item>
/// <item>KEYS[1] <c>…:queue</c>: waiting requests scored by their order (retries below zero: ahead of new requests; later
/// segments of long texts from 10^15 up: behind them).</item>
/// <item>KEYS[2] <c>…:alive</c>: waiting requests scored by their expiry (ms), renewed by their replica.</item>
/// <item>KEYS[3] <c>…:wants</c>: a hash of each waiting request's destinations, <c>id=cap,id=cap</c>.</item>
/// <item>KEYS[4] <c>…:order</c>: the counter that orders the queue.</item>
/// </list>
/// </summary>
internal static class FleetScripts
{
    public const string KeyPrefix = "edge:{admission}:";
    public const string SlotsPrefix = KeyPrefix + "slots:";
    public const string Channel = "edge:admission";

    public static readonly string[] QueueKeys = [KeyPrefix + "queue", KeyPrefix + "alive", KeyPrefix + "wants", KeyPrefix + "order"];

    /// <summary>What every script starts with: the time, and waiting requests whose replica stopped renewing them removed.</summary>
    private const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
          redis.call('ZREM', KEYS[1], w)
          redis.call('ZREM', KEYS[2], w)
          redis.call('HDEL', KEYS[3], w)
        end

        """;

    /// <summary>
    /// Takes a slot for a request, or queues it, or tells a queued one its place. ARGV: slots prefix, request id, mode
    /// (<c>new</c>, <c>retry</c>, <c>continuation</c>, <c>waiting</c>, <c>requeue</c>), lease id, lease ms, waiter ttl ms, max queue length,
    /// the request's destinations (<c>id=cap,…</c>, in order of preference), channel. The requests ahead in the queue
    /// have the first pick: each in turn takes the least loaded of its destinations with room, and this one gets what is
    /// left. Returns {1, destination} (a slot; a queued request then leaves with <see cref="Leave"/>), {0, place}
    /// (queued), {2, length} (queue full) or {3, 0} (no longer queued).
    /// </summary>
    public const string Acquire = Prelude + """
        local prefix, id, mode, lease = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local lease_ms, ttl, max_queue, mine, channel = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], ARGV[9]

        local used, caps = {}, {}
        local function room(dest, cap)
          if used[dest] == nil then
            redis.call('ZREMRANGEBYSCORE', prefix .. dest, '-inf', now)
            used[dest] = redis.call('ZCARD', prefix .. dest)
            caps[dest] = cap
          end
          return caps[dest] - used[dest]
        end
        local function parse(list)
          local out = {}
          for dest, cap in string.gmatch(list, '([^,=]+)=(%d+)') do out[#out + 1] = {dest, tonumber(cap)} end
          return out
        end
        local function pick(dests)
          local best, load = nil, nil
          for _, d in ipairs(dests) do
            if room(d[1], d[2]) > 0 and (best == nil or used[d[1]] / d[2] < load) then best, load = d[1], used[d[1]] / d[2] end
          end
          return best
        end

        local wanted = parse(mine)
        local order = redis.call('ZSCORE', KEYS[1], id)
        if mode == 'waiting' and not order then return {3, 0} end
        if order then redis.call('HSET', KEYS[3], id, mine) end
        if pick(wanted) then
          local ahead
          if order then ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. order)
          elseif mode == 'retry' then ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(0')
          elseif mode == 'continuation' then ahead = redis.call('ZRANGE', KEYS[1], 0, -1)
          else ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(1000000000000000') end
          for _, w in ipairs(ahead) do
            local theirs = redis.call('HGET', KEYS[3], w)
            local dest = theirs and pick(parse(theirs))
            if dest then used[dest] = used[dest] + 1 end
            if not pick(wanted) then break end
          end
        end

        local dest = pick(wanted)
        if dest then
          redis.call('ZADD', prefix .. dest, now + lease_ms, lease)
          -- A queued request keeps its place, wanting nothing more, until its replica has told its client and it leaves:
          -- nobody behind it hears of moving up before it has heard it got its GPU.
          if order then redis.call('HSET', KEYS[3], id, '') end
          return {1, dest}
        end
        if order then return {0, redis.call('ZRANK', KEYS[1], id) + 1} end
        if mode == 'new' then
          local waiting = redis.call('ZCOUNT', KEYS[1], '-inf', '(1000000000000000')
          if waiting >= max_queue then return {2, waiting} end
        end
        local score = redis.call('INCR', KEYS[4])
        if mode == 'retry' then score = score - 1000000000000000 end
        if mode == 'continuation' then score = score + 1000000000000000 end
        redis.call('ZADD', KEYS[1], score, id)
        redis.call('ZADD', KEYS[2], now + ttl, id)
        redis.call('HSET', KEYS[3], id, mine)
        return {0, redis.call('ZRANK', KEYS[1], id) + 1}
        """;

    /// <summary>Gives a slot back and wakes the fleet's waiting requests. ARGV: slots prefix, destination, lease id, channel, ms held (-1: unused).</summary>
    public const string Release = """
        local removed = redis.call('ZREM', ARGV[1] .. ARGV[2], ARGV[3])
        redis.call('PUBLISH', ARGV[4], 'freed:' .. ARGV[5])
        return removed
        """;

    /// <summary>
    /// Renews this replica's slots and waiting requests. ARGV: slots prefix, lease ms, waiter ttl ms, slots
    /// (<c>destination=lease id,…</c>, added again if they expired), waiting request ids (<c>id,…</c>). Returns the
    /// waiting requests no longer queued (gone while their replica could not renew them), and the queue's length.
    /// </summary>
    public const string Renew = Prelude + """
        local prefix, lease_ms, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
        for dest, lease in string.gmatch(ARGV[4], '([^,=]+)=([^,]+)') do
          redis.call('ZADD', prefix .. dest, now + lease_ms, lease)
        end
        local gone = {}
        for id in string.gmatch(ARGV[5], '([^,]+)') do
          if redis.call('ZSCORE', KEYS[2], id) then redis.call('ZADD', KEYS[2], now + ttl, id) else gone[#gone + 1] = id end
        end
        return {gone, redis.call('ZCARD', KEYS[1])}
        """;

    /// <summary>
    /// The free slots of the given destinations, less the requests waiting (they take free slots first); may be below
    /// zero. ARGV: slots prefix, the destinations (<c>id=cap,…</c>). Reads only.
    /// </summary>
    public const string Free = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local free = 0
        for dest, cap in string.gmatch(ARGV[2], '([^,=]+)=(%d+)') do
          free = free + math.max(0, tonumber(cap) - redis.call('ZCOUNT', ARGV[1] .. dest, '(' .. now, '+inf'))
        end
        return free - redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf')
        """;

    /// <summary>Takes waiting requests out of the queue. ARGV: channel, then their ids.</summary>
    public const string Leave = """
        for i = 2, #ARGV do
          redis.call('ZREM', KEYS[1], ARGV[i])
          redis.call('ZREM', KEYS[2], ARGV[i])
          redis.call('HDEL', KEYS[3], ARGV[i])
        end
        redis.call('PUBLISH', ARGV[1], 'moved')
        return 1
        """;

    /// <summary>The places of waiting requests (0: no longer queued), then the queue's length. ARGV: their ids.</summary>
    public const string Places = Prelude + """
        local places = {}
        for i = 1, #ARGV do
          local rank = redis.call('ZRANK', KEYS[1], ARGV[i])
          places[i] = rank and rank + 1 or 0
        end
        places[#ARGV + 1] = redis.call('ZCARD', KEYS[1])
        return places
        """;
}
