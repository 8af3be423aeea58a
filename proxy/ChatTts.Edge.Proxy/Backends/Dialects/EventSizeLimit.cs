namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// A read-only view of an SSE body that fails as soon as one event (the bytes between two blank lines) grows beyond a
/// limit, so a parser that buffers whole lines never holds more than about the limit. Newlines are found with a
/// vectorized search; only the bytes around them are looked at one by one.
/// </summary>
internal sealed class EventSizeLimit(Stream inner, int maxEventBytes) : Stream
{
    private long _eventBytes;
    private bool _lineEmpty = true;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Count(buffer.Span[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Count(buffer.AsSpan(offset, read));
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Count(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            var run = newline < 0 ? bytes : bytes[..newline];

            // A line holding only "\r" is blank too (CRLF line ends).
            _lineEmpty = _lineEmpty && (run.IsEmpty || (run.Length == 1 && run[0] == '\r'));
            _eventBytes += run.Length;
            if (_eventBytes > maxEventBytes)
            {
                throw new BackendException(BackendFailureKind.Protocol, $"the backend sent an event larger than {maxEventBytes} bytes");
            }

            if (newline < 0)
            {
                return;
            }

            if (_lineEmpty)
            {
                _eventBytes = 0; // a blank line ends the event
            }

            _lineEmpty = true;
            bytes = bytes[(newline + 1)..];
        }
    }
}
