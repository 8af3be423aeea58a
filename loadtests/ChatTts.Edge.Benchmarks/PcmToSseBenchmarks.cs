using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Replay;
using ChatTts.Edge.Resume;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.TestKit;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Benchmarks;

/// <summary>
/// The audio hot path, per SSE event: read a streamed WAV (decode) under the first-audio/idle watchdog, cut 200 ms
/// frames (frame), write each
/// frame's WAV header (wrap), base64 it into an <c>audio</c> event (encode) and flush it to the response (write).
/// One benchmark operation is one audio event, so the allocation column reads "bytes per event". <see cref="Resumable"/>
/// adds what a resumable stream costs: each event recorded in the memory store's journal. <see cref="Replayed"/> adds
/// what a cacheable (seeded) request costs: a <see cref="PcmRecorder"/> between the framer and the session, each frame's
/// PCM also copied into one growing pooled buffer.
/// </summary>
[MemoryDiagnoser]
public class PcmToSseBenchmarks : IDisposable
{
    private const int AudioSeconds = 10;
    private const int ChunkMs = 200;
    private const int Events = AudioSeconds * 1000 / ChunkMs;

    private byte[] _backendWav = [];
    private ChunkedStream _backend = null!;
    private DefaultHttpContext _context = null!;
    private StreamResumption? _resumption;

    /// <summary>Bytes of PCM one event carries: multiply by events per second for PCM throughput.</summary>
    public static int PcmBytesPerEvent => ChunkMs * PcmFormat.SamplesPerMillisecond * PcmFormat.BytesPerSample;

    [Params(4096, 16_384)]
    public int BackendReadSize { get; set; }

    /// <summary>Whether the stream is recorded for resumption (the SSE route's default since <c>Edge:Resume</c>).</summary>
    [Params(false, true)]
    public bool Resumable { get; set; }

    /// <summary>Whether the stream's PCM is recorded for the replay cache (a seeded request).</summary>
    [Params(false, true)]
    public bool Replayed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var pcm = new byte[AudioSeconds * PcmFormat.BytesPerSecond];
        new Random(42).NextBytes(pcm);
        _backendWav = new byte[WavHeader.Size + pcm.Length];
        WavHeader.Write(_backendWav, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(_backendWav.AsSpan(40), uint.MaxValue); // chattts-openai's streaming header
        pcm.CopyTo(_backendWav, WavHeader.Size);
        _backend = new ChunkedStream(_backendWav, BackendReadSize);
        _context = new DefaultHttpContext();
        _context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        var options = new StaticOptions(new ResumeOptions());
        _resumption = Resumable
            ? new StreamResumption(new MemoryResumeStore(options, TimeProvider.System), options, TimeProvider.System, NullLogger<StreamResumption>.Instance)
            : null;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _backend.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task DecodeFrameWrapEncodeWrite()
    {
        _backend.Rewind();
        using var journal = _resumption?.Begin("request", "key", "fingerprint");
        using var session = new SseSession(_context, TimeProvider.System, StreamingDefaults.StalledClientTimeout, journal?.Identity);
        var recorder = Replayed ? new PcmRecorder(session, CacheDefaults.MaxEntryBytes) : null;
        using var framer = new PcmFramer(ChunkMs * PcmFormat.SamplesPerMillisecond, recorder ?? (IAudioFrameSink)session);
        using var watchdog = new AudioWatchdog(framer, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        await WavStreamReader.ReadAsync(_backend, watchdog, new BackendLimits(StreamingDefaults.MaxBackendEventBytes, long.MaxValue), watchdog.Token);
        await framer.CompleteAsync(CancellationToken.None);
        if (recorder is not null)
        {
            if (recorder.Recorded?.Length != _backendWav.Length - WavHeader.Size)
            {
                throw new InvalidOperationException("The recorder missed some PCM.");
            }

            recorder.Release();
        }

        if (session.NextSeq != Events)
        {
            throw new InvalidOperationException($"Expected {Events} events, wrote {session.NextSeq}.");
        }
    }
}

/// <summary>Fixed options, as a monitor.</summary>
internal sealed class StaticOptions(ResumeOptions value) : IOptionsMonitor<ResumeOptions>
{
    public ResumeOptions CurrentValue => value;

    public ResumeOptions Get(string? name) => value;

    public IDisposable? OnChange(Action<ResumeOptions, string?> listener) => null;
}
