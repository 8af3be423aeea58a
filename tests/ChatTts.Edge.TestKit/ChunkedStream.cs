namespace ChatTts.Edge.TestKit;

/// <summary>
/// A read-only stream that hands out its bytes in reads of the given sizes (cycling), like a network would.
/// The benchmarks feed it to the audio path as a backend's response body.
/// </summary>
internal sealed class ChunkedStream(byte[] data, params int[] chunkSizes) : Stream
{
    private int _position;
    private int _next;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>Starts over from the first byte and the first chunk size.</summary>
    public void Rewind() => (_position, _next) = (0, 0);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var size = chunkSizes.Length == 0 ? buffer.Length : chunkSizes[_next++ % chunkSizes.Length];
        var take = Math.Min(Math.Min(size, buffer.Length), data.Length - _position);
        data.AsSpan(_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
