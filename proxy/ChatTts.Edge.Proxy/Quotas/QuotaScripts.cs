namespace ChatTts.Edge.Quotas;

/// <summary>
/// The Lua scripts the Redis store runs. Every script reads Redis's own clock (<c>TIME</c>), so replicas with skewed
/// clocks agree. Keys of one API key share the hash tag <c>{key id}</c> and so one Redis Cluster slot:
/// KEYS[1] the GCRA "theoretical arrival time" (ms), KEYS[2] a hash {day, used} of today's characters,
/// KEYS[3] a sorted set of open-stream leases scored by their expiry (ms).
/// </summary>
internal static class QuotaScripts
{
    /// <summary>
    /// Checks rate, characters and concurrency; charges all three only if all hold. ARGV: emission interval ms (0: no
    /// rate limit), burst, characters, characters per day (0: none), concurrent streams (0: none), lease id, lease ttl ms.
    /// Returns {refused limit (0 none, 1 rate, 2 characters, 3 concurrency), retry-after ms, rate remaining (-1: none),
    /// rate reset ms, characters used, day, active streams, ms to the next UTC day}.
    /// </summary>
    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local interval = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local cost = tonumber(ARGV[3])
        local char_limit = tonumber(ARGV[4])
        local stream_limit = tonumber(ARGV[5])
        local ttl = tonumber(ARGV[7])
        local day = math.floor(now / 86400000)
        local to_next_day = (day + 1) * 86400000 - now

        local refused, retry = 0, 0
        local remaining, reset, new_tat = -1, 0, 0
        if interval > 0 then
          local tat = tonumber(redis.call('GET', KEYS[1]) or now)
          if tat < now then tat = now end
          new_tat = tat + interval
          local allow_at = new_tat - burst * interval
          if now < allow_at then
            refused, retry, remaining, reset = 1, allow_at - now, 0, tat - now
          else
            remaining, reset = math.floor((now - allow_at) / interval), new_tat - now
          end
        end

        local used = 0
        if redis.call('HGET', KEYS[2], 'day') == tostring(day) then
          used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0')
        end
        if refused == 0 and char_limit > 0 and used + cost > char_limit then
          refused, retry = 2, to_next_day
        end

        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
        local streams = redis.call('ZCARD', KEYS[3])
        if refused == 0 and stream_limit > 0 and streams >= stream_limit then
          local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
          refused, retry = 3, math.min(1000, tonumber(first[2]) - now)
        end

        if refused == 0 then
          if interval > 0 then
            redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now))
          end
          used = used + cost
          redis.call('HSET', KEYS[2], 'day', day, 'used', used)
          redis.call('PEXPIRE', KEYS[2], to_next_day + 3600000)
          redis.call('ZADD', KEYS[3], now + ttl, ARGV[6])
          redis.call('PEXPIRE', KEYS[3], ttl * 2)
          streams = streams + 1
        end
        return {refused, retry, remaining, reset, used, day, streams, to_next_day}
        """;

    /// <summary>Pushes a lease's expiry out by ARGV[2] ms if it still exists. ARGV: lease id, ttl ms. Returns 1 or 0.</summary>
    public const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[2])
        local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
        if not score or tonumber(score) < now then return 0 end
        redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
        redis.call('PEXPIRE', KEYS[3], ttl * 2)
        return 1
        """;

    /// <summary>Ends a lease and gives back ARGV[2] characters if charged on day ARGV[3] (today's count only).</summary>
    public const string Release = """
        redis.call('ZREM', KEYS[3], ARGV[1])
        local refund = tonumber(ARGV[2])
        if refund > 0 and redis.call('HGET', KEYS[2], 'day') == ARGV[3] then
          local used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0') - refund
          if used < 0 then used = 0 end
          redis.call('HSET', KEYS[2], 'used', used)
        end
        return 1
        """;

    /// <summary>Reads usage without charging. ARGV: emission interval ms, burst. Returns like <see cref="Acquire"/>.</summary>
    public const string Usage = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local interval = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local day = math.floor(now / 86400000)
        local remaining, reset = -1, 0
        if interval > 0 then
          local tat = tonumber(redis.call('GET', KEYS[1]) or now)
          if tat < now then tat = now end
          remaining = math.floor((now - (tat - burst * interval)) / interval)
          if remaining > burst then remaining = burst end
          reset = tat - now
        end
        local used = 0
        if redis.call('HGET', KEYS[2], 'day') == tostring(day) then
          used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0')
        end
        local streams = redis.call('ZCOUNT', KEYS[3], now, '+inf')
        return {0, 0, remaining, reset, used, day, streams, (day + 1) * 86400000 - now}
        """;
}
