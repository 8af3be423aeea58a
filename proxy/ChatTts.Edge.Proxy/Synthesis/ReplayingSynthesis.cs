using System.Buffers;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Replay;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// A deterministic request (a <c>seed</c>): served from the replay cache when an earlier identical request's
/// PCM is there for a dialect and model that could serve it (framed at this request's <c>chunk_ms</c> by the same
/// <see cref="PcmFramer"/>, with no GPU slot and no queue); otherwise the synthesis it would have had anyway, whose PCM a
/// <see cref="PcmRecorder"/> copies on its way, stored once it has ended with every frame delivered in one run (a text
/// split over several GPUs is not: its audio depends on how it was cut): just before <c>done</c> goes out, so a client
/// that has seen <c>done</c> finds its repeat cached on any replica. A run that fails or whose client leaves is never stored.
/// </summary>
internal sealed class ReplayingSynthesis : ISpeechSynthesis
{
    private readonly SynthesisServices _services;
    private readonly ISegmentedOutput _output;
    private readonly BackendRequest _speech;
    private readonly int _chunkMs;
    private readonly bool _split;
    private readonly Func<ISegmentedOutput, ISpeechSynthesis> _synthesize;
    private ISpeechSynthesis? _run;
    private string? _cachedBackend;
    private string? _cachedDialect;

    /// <param name="synthesize">The request's synthesis on a miss, into the output it is given.</param>
    public ReplayingSynthesis(SynthesisServices services, ISegmentedOutput output, BackendRequest speech, int chunkMs, bool split, Func<ISegmentedOutput, ISpeechSynthesis> synthesize)
    {
        _services = services;
        _output = output;
        _speech = speech;
        _chunkMs = chunkMs;
        _split = split;
        _synthesize = synthesize;
    }

    public string? Backend => _run?.Backend ?? _cachedBackend;

    public string? Dialect => _run?.Dialect ?? _cachedDialect;

    public int Attempts => _run?.Attempts ?? 0;

    public int? Segments => _run?.Segments;

    public bool Cached { get; private set; }

    public bool FreeOfCharge => Cached && !_services.Replay.Options.ChargeCharacters;

    public async ValueTask<long> ExecuteAsync(CancellationToken cancellationToken)
    {
        var models = _services.Backends.CandidateModels(_speech);
        var keys = new List<string>(models.Count);
        foreach (var model in models)
        {
            keys.Add(ReplayKey.For(_speech, _split, model));
        }

        var entry = await _services.Replay.FindAsync(keys, cancellationToken);
        _services.Metrics.CacheLookedUp(entry is not null);
        if (entry is not null)
        {
            Cached = true;
            _cachedBackend = entry.Backend;
            _cachedDialect = _services.Backends.ModelOf(entry.Backend)?.Dialect;
            return await ReplayAsync(entry, cancellationToken);
        }

        var recorder = new PcmRecorder(_output, _services.Replay.Options.MaxEntryBytes);
        _run = _synthesize(recorder);
        try
        {
            var chunks = await _run.ExecuteAsync(cancellationToken);
            if (_run.Segments is null && recorder.Recorded is { IsEmpty: false } pcm && _run.Backend is { } backend && _services.Backends.ModelOf(backend) is { } model)
            {
                await _services.Replay.StoreAsync(ReplayKey.For(_speech, _split, model), new ReplayEntry(backend, pcm.ToArray()), cancellationToken);
            }

            return chunks;
        }
        finally
        {
            recorder.Release();
        }
    }

    private async ValueTask<long> ReplayAsync(ReplayEntry entry, CancellationToken cancellationToken)
    {
        using var framer = new PcmFramer(_chunkMs * PcmFormat.SamplesPerMillisecond, _output);
        await framer.WriteAsync(new ReadOnlySequence<byte>(entry.Pcm), cancellationToken);
        await framer.CompleteAsync(cancellationToken);
        return _output.FramesWritten;
    }
}
