namespace ChatTts.Emulator;

/// <summary>Fault switches of a running emulator; every property may be set at any time from any thread.
/// Faults apply to synthesis requests; health endpoints answer 503 under <see cref="Unavailable"/> or
/// <see cref="Fail"/> and are refused under <see cref="Refuse"/>.</summary>
public sealed class EmulatorFaults
{
    private const long NoLimit = -1;

    private volatile bool _unavailable;
    private volatile int _retryAfterSeconds = 1;
    private volatile bool _fail;
    private long _dieAfterBytes = NoLimit;
    private volatile bool _stall;
    private volatile bool _refuse;
    private int _trickleBytesPerSecond;
    private long _oversizeMessageBytes = NoLimit;
    private long _announcedDataBytes = NoLimit;
    private volatile object? _retryAfterDate;
    private readonly Lock _holdGate = new();
    private TaskCompletionSource _released = Released();

    /// <summary>Answer 503 with <c>Retry-After</c> and the dialect's error body.</summary>
    public bool Unavailable { get => _unavailable; set => _unavailable = value; }

    /// <summary>The <c>Retry-After</c> value sent with 503, in seconds (unless <see cref="RetryAfterDate"/> is set).</summary>
    public int RetryAfterSeconds
    {
        get => _retryAfterSeconds;
        set => _retryAfterSeconds = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>With <see cref="Unavailable"/>: send <c>Retry-After</c> as this HTTP date (e.g.
    /// <c>Fri, 31 Dec 9999 23:59:59 GMT</c> for <see cref="DateTimeOffset.MaxValue"/>) instead of
    /// <see cref="RetryAfterSeconds"/>; null (the default) sends seconds.</summary>
    public DateTimeOffset? RetryAfterDate
    {
        get => (DateTimeOffset?)_retryAfterDate;
        set => _retryAfterDate = value;
    }

    /// <summary>Answer 500 with the dialect's error body.</summary>
    public bool Fail { get => _fail; set => _fail = value; }

    /// <summary>Write this many response-body bytes, then abort the connection. Read when a synthesis starts.</summary>
    public long? DieAfterBytes
    {
        get => ReadOptional(ref _dieAfterBytes);
        set => WriteOptional(ref _dieAfterBytes, value, long.MaxValue);
    }

    /// <summary>Send the response headers (and at most the WAV header), then nothing until the client leaves.
    /// Also freezes a stream already under way at its next step. When the client leaves, a server that keeps
    /// computing (<see cref="EmulatorOptions.KeepsComputingAfterDisconnect"/>) goes on with the rest of the synthesis.</summary>
    public bool Stall { get => _stall; set => _stall = value; }

    /// <summary>
    /// Let the body of audio answers out at this many bytes per second once their headers are sent: a backend that
    /// makes progress in bytes but never delivers a useful amount of audio. The synthesis itself runs as usual (the
    /// GPU stays held until the answer is out or the client leaves). Read before every write, so setting or clearing
    /// it affects answers under way; null (the default) writes at full speed. At least 1.
    /// </summary>
    public int? TrickleBytesPerSecond
    {
        get => Volatile.Read(ref _trickleBytesPerSecond) is > 0 and var rate ? rate : null;
        set => Volatile.Write(ref _trickleBytesPerSecond, value is null or > 0
            ? value ?? 0
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be at least 1 byte per second."));
    }

    /// <summary>
    /// Answer synthesis requests (valid ones, instead of synthesizing) with one message of this many bytes, written in
    /// pieces so the emulator never holds it: <c>webui</c> sends one server-sent event whose <c>data</c> is that many
    /// characters of base64 PCM (rounded down to whole base64 quads, no line break inside); <c>chattts-ui</c> answers
    /// HTTP 200 <c>{"code":1,"msg":"…"}</c>, <c>chattts-openai</c> HTTP 500 <c>{"error":{"message":"…","type":…}}</c>
    /// and <c>forge</c> HTTP 500 <c>{"detail":"…"}</c>, each body exactly this long (at least its JSON around an empty
    /// message) with a <c>Content-Length</c>. Null (the default) is off.
    /// </summary>
    public long? OversizeMessageBytes
    {
        get => ReadOptional(ref _oversizeMessageBytes);
        set => WriteOptional(ref _oversizeMessageBytes, value, long.MaxValue);
    }

    /// <summary>
    /// Whole-WAV answers (<c>chattts-ui</c>, and the others without streaming) announce this many bytes of audio in
    /// the WAV header's data size and in <c>Content-Length</c> (44 more), and really send that many: the PCM, cut or
    /// followed by silence. Read when such an answer starts; null (the default) announces the real length.
    /// At most 4 294 967 259 (the largest data size a RIFF header can carry).
    /// </summary>
    public long? AnnouncedDataBytes
    {
        get => ReadOptional(ref _announcedDataBytes);
        set => WriteOptional(ref _announcedDataBytes, value, uint.MaxValue - 36);
    }

    /// <summary>Close new TCP connections (and requests on kept-alive ones) without any HTTP response.</summary>
    public bool Refuse { get => _refuse; set => _refuse = value; }

    /// <summary>Hold every synthesis before its first PCM step while set (the GPU stays taken); clearing it lets
    /// them all go on. Unlike <see cref="Stall"/>, nothing is lost: a test uses it to line requests up.</summary>
    public bool Hold
    {
        get => !WhenReleased.IsCompleted;
        set
        {
            lock (_holdGate)
            {
                if (!value)
                {
                    _released.TrySetResult();
                }
                else if (_released.Task.IsCompleted)
                {
                    _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Completes when <see cref="Hold"/> is (or already was) cleared.</summary>
    internal Task WhenReleased
    {
        get
        {
            lock (_holdGate)
            {
                return _released.Task;
            }
        }
    }

    /// <summary>Turns every fault off and restores <see cref="RetryAfterSeconds"/> to 1.</summary>
    public void Clear()
    {
        Unavailable = false;
        RetryAfterSeconds = 1;
        RetryAfterDate = null;
        TrickleBytesPerSecond = null;
        OversizeMessageBytes = null;
        AnnouncedDataBytes = null;
        Fail = false;
        DieAfterBytes = null;
        Stall = false;
        Refuse = false;
        Hold = false;
    }

    private static long? ReadOptional(ref long field) => Interlocked.Read(ref field) is var v && v >= 0 ? v : null;

    private static void WriteOptional(ref long field, long? value, long max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value is < 0 || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Must be 0 to {max}.");
        }

        Interlocked.Exchange(ref field, value ?? NoLimit);
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }
}
