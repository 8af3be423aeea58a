namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// One client connection's socket stream, passed through unchanged while it counts the bytes each way and, for TLS,
/// keeps the server's first record until it can read its <see cref="ServerHello"/>. Only the owning connection reads
/// and writes it; the counters are read once the run is over.
/// </summary>
internal sealed class WireTap(Stream inner, bool tls, bool measured) : Stream
{
    private const int MaxRecord = 5 + 16_384 + 256;
    private byte[]? _head = tls ? new byte[MaxRecord] : null;
    private int _headLength;

    /// <summary>Whether the connection was opened by a measured stream (not during the warm-up).</summary>
    public bool Measured { get; } = measured;

    public long BytesSent { get; private set; }

    public long BytesReceived { get; private set; }

    /// <summary>The server's ServerHello; null for plain HTTP, or when the first record held none.</summary>
    public ServerHello? Hello { get; private set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Received(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Received(buffer.AsSpan(offset, read));
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BytesSent += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        BytesSent += count;
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Received(ReadOnlySpan<byte> bytes)
    {
        BytesReceived += bytes.Length;
        if (_head is null)
        {
            return;
        }

        var taken = Math.Min(bytes.Length, _head.Length - _headLength);
        bytes[..taken].CopyTo(_head.AsSpan(_headLength));
        _headLength += taken;
        var head = _head.AsSpan(0, _headLength);
        if (ServerHello.RecordLength(head) is { } needed && (head.Length >= needed || _headLength == _head.Length))
        {
            Hello = ServerHello.Parse(head);
            _head = null; // the first record is complete (or too long to be a ServerHello): stop looking
        }
    }
}
