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
    private readonly Lock _holdGate = new();
    private TaskCompletionSource _released = Released();

    /// <summary>Answer 503 with <c>Retry-After</c> and the dialect's error body.</summary>
    public bool Unavailable { get => _unavailable; set => _unavailable = value; }

    /// <summary>The <c>Retry-After</c> value sent with 503, in seconds.</summary>
    public int RetryAfterSeconds
    {
        get => _retryAfterSeconds;
        set => _retryAfterSeconds = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>Answer 500 with the dialect's error body.</summary>
    public bool Fail { get => _fail; set => _fail = value; }

    /// <summary>Write this many response-body bytes, then abort the connection. Read when a synthesis starts.</summary>
    public long? DieAfterBytes
    {
        get => Interlocked.Read(ref _dieAfterBytes) is var v && v >= 0 ? v : null;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
            }

            Interlocked.Exchange(ref _dieAfterBytes, value ?? NoLimit);
        }
    }

    /// <summary>Send the response headers (and at most the WAV header), then nothing until the client leaves.
    /// Also freezes a stream already under way at its next step.</summary>
    public bool Stall { get => _stall; set => _stall = value; }

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
        Fail = false;
        DieAfterBytes = null;
        Stall = false;
        Refuse = false;
        Hold = false;
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }
}
