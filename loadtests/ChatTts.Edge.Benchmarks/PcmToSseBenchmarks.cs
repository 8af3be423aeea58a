using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Edge.Benchmarks;

/// <summary>
/// The audio hot path, per SSE event: read a streamed WAV (decode), cut 200 ms frames (frame), write each
/// frame's WAV header (wrap), base64 it into an <c>audio</c> event (encode) and flush it to the response (write).
/// One benchmark operation is one audio event, so the allocation column reads "bytes per event".
/// </summary>
[MemoryDiagnoser]
public class PcmToSseBenchmarks : IDisposable
{
    private const int AudioSeconds = 10;
    private const int ChunkMs = 200;
    private const int Events = AudioSeconds * 1000 / ChunkMs;

    private byte[] _backendWav = [];
    private ChunkedReadStream _backend = null!;
    private DefaultHttpContext _context = null!;

    /// <summary>Bytes of PCM one event carries: multiply by events per second for PCM throughput.</summary>
    public static int PcmBytesPerEvent => ChunkMs * PcmFormat.SamplesPerMillisecond * PcmFormat.BytesPerSample;

    [Params(4096, 16_384)]
    public int BackendReadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var pcm = new byte[AudioSeconds * PcmFormat.BytesPerSecond];
        new Random(42).NextBytes(pcm);
        _backendWav = new byte[WavHeader.Size + pcm.Length];
        WavHeader.Write(_backendWav, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(_backendWav.AsSpan(40), uint.MaxValue); // chattts-openai's streaming header
        pcm.CopyTo(_backendWav, WavHeader.Size);
        _backend = new ChunkedReadStream(_backendWav, BackendReadSize);
        _context = new DefaultHttpContext();
        _context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
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
        using var session = new TtsStreamSession(_context, TimeProvider.System);
        using var framer = new PcmFramer(ChunkMs * PcmFormat.SamplesPerMillisecond, session);
        await WavStreamReader.ReadAsync(_backend, framer, CancellationToken.None);
        await framer.CompleteAsync(CancellationToken.None);
        if (session.NextSeq != Events)
        {
            throw new InvalidOperationException($"Expected {Events} events, wrote {session.NextSeq}.");
        }
    }

    /// <summary>A backend response body that returns at most <c>readSize</c> bytes per read, like a socket.</summary>
    private sealed class ChunkedReadStream(byte[] data, int readSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public void Rewind() => _position = 0;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = Math.Min(Math.Min(readSize, buffer.Length), data.Length - _position);
            data.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
