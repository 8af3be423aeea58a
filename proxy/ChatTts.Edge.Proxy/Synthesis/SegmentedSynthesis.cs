using System.Runtime.ExceptionServices;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Segmentation;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// A long text split by sentence (<see cref="TextSegmenter"/>), each segment its own <see cref="SynthesisRun"/> (its own
/// GPU slot and retries, with the request's voice and seed), up to <see cref="SegmentationOptions.MaxParallel"/> at once.
/// The first segment queues like any request; later ones queue behind other callers' new requests
/// (<see cref="SynthesisRun.IsContinuation"/>). Segments are played to the client in text order: the one whose turn it is
/// streams live, later ones are held in memory (<see cref="SegmentOutput"/>) and replayed when their turn comes, so
/// <c>seq</c> and <c>offset_ms</c> run on without a gap. A segment does not start while
/// <see cref="SegmentationOptions.MaxBufferedAudio"/> waits already, unless it is the one whose turn it is.
/// </summary>
internal sealed class SegmentedSynthesis : ISpeechSynthesis
{
    private readonly SynthesisServices _services;
    private readonly HttpContext _context;
    private readonly ISegmentedOutput _client;
    private readonly BackendRequest _speech;
    private readonly IReadOnlyList<TextSegment> _segments;
    private readonly int _chunkMs;
    private readonly int _maxParallel;
    private readonly long _maxBufferedBytes;
    private readonly Lock _lock = new();
    private readonly SynthesisRun?[] _runs;
    private readonly SegmentOutput?[] _outputs;
    private readonly Task?[] _tasks;
    private readonly TaskCompletionSource[] _placed;
    private CancellationToken _token;
    private int _next;
    private int _head;
    private int _running;
    private int _limit;
    private long _buffered;

    public SegmentedSynthesis(SynthesisServices services, HttpContext context, ISegmentedOutput client, BackendRequest speech, IReadOnlyList<TextSegment> segments, int chunkMs)
    {
        _services = services;
        _context = context;
        _client = client;
        _speech = speech;
        _segments = segments;
        _chunkMs = chunkMs;
        var options = services.Segmentation;
        _maxParallel = options.MaxParallel;
        _maxBufferedBytes = (long)(options.MaxBufferedAudio.TotalSeconds * PcmFormat.BytesPerSecond);
        _runs = new SynthesisRun?[segments.Count];
        _outputs = new SegmentOutput?[segments.Count];
        _tasks = new Task?[segments.Count];
        _placed = [.. segments.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _limit = segments.Count;
    }

    public string? Backend => _runs[0]?.Backend;

    public string? Dialect => _runs[0]?.Dialect;

    public int Attempts
    {
        get
        {
            lock (_lock)
            {
                return _runs.Sum(r => r?.Attempts ?? 0);
            }
        }
    }

    public int? Segments => _segments.Count;

    /// <summary>PCM bytes held now, waiting for their segment's turn.</summary>
    public long BufferedBytes => Interlocked.Read(ref _buffered);

    public async ValueTask<long> ExecuteAsync(CancellationToken cancellationToken)
    {
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _token = work.Token;
        try
        {
            for (var i = 0; i < _segments.Count; i++)
            {
                lock (_lock)
                {
                    _head = i;
                }

                // Every segment before this one has ended, so this one starts now if it has not yet.
                StartWhatFits();
                await _outputs[i]!.PlayAsync(work.Token);
                StartWhatFits(); // what it held is sent: room for more
                await _tasks[i]!;
            }

            return _client.FramesWritten;
        }
        finally
        {
            lock (_lock)
            {
                _limit = 0;
            }

            await work.CancelAsync();
            await EndAllAsync();
        }
    }

    /// <summary>Held PCM grew (a later segment's frame) or shrank (replayed or dropped).</summary>
    internal void Buffered(long bytes)
    {
        if (Interlocked.Add(ref _buffered, bytes) < _maxBufferedBytes && bytes < 0)
        {
            StartWhatFits();
        }
    }

    /// <summary>Starts the next segments while the parallel and the memory bounds allow (the one whose turn it is always).</summary>
    private void StartWhatFits()
    {
        lock (_lock)
        {
            while (_next < _limit && (_next == _head || (_running < _maxParallel && Interlocked.Read(ref _buffered) < _maxBufferedBytes)))
            {
                var index = _next++;
                var segment = _segments[index];
                var placed = _placed[index];
                var output = new SegmentOutput(_client, new SegmentStart(index, segment.Text, segment.Start), this, _services.Time, () => placed.TrySetResult());
                _outputs[index] = output;
                _runs[index] = new SynthesisRun(_services, _context, output, _speech with { Text = segment.Text }, _chunkMs)
                {
                    IsContinuation = index > 0,
                    Answered = () => placed.TrySetResult(),
                };
                _running++;
                _tasks[index] = RunAsync(index); // runs on only after the lock is released (it yields first)
            }
        }
    }

    private async Task RunAsync(int index)
    {
        await Task.Yield(); // off the starter's thread (it may hold a segment's lock)
        try
        {
            // Segments ask for a GPU in text order: each once the one before has a slot or a place in the queue.
            if (index > 0)
            {
                await _placed[index - 1].Task.WaitAsync(_token);
            }

            await _runs[index]!.ExecuteAsync(_token);
        }
        catch
        {
            // Segments after a failed one do not start; those before it still play, then the stream ends with its failure.
            lock (_lock)
            {
                _limit = Math.Min(_limit, index + 1);
            }

            throw;
        }
        finally
        {
            _placed[index].TrySetResult(); // ended without asking (cancelled): the next need not wait for it
            lock (_lock)
            {
                _running--;
            }

            StartWhatFits();
        }
    }

    /// <summary>Waits for every started segment to end (their slots freed), then gives back what they held.</summary>
    private async Task EndAllAsync()
    {
        foreach (var task in _tasks)
        {
            if (task is not null)
            {
                try
                {
                    await task;
                }
                catch (Exception) when (task.IsFaulted || task.IsCanceled)
                {
                    // The stream's own outcome is already decided; the others' failures only say they were stopped.
                }
            }
        }

        foreach (var output in _outputs)
        {
            output?.Dispose();
        }
    }
}
