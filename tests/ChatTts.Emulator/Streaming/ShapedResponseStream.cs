using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Streaming;

/// <summary>The response body as the emulator writes it: every write is cut into pieces (at most
/// <see cref="EmulatorOptions.WriteChunkBytes"/>; odd sizes starting with 7 bytes under
/// <see cref="EmulatorOptions.SplitWrites"/>), each piece flushed on its own so it leaves as its own HTTP
/// chunk, no faster than <see cref="EmulatorFaults.TrickleBytesPerSecond"/> allows, and after
/// <see cref="EmulatorFaults.DieAfterBytes"/> (read when the answer starts) bytes the connection is aborted.</summary>
internal sealed class ShapedResponseStream(HttpContext context, EmulatorOptions options, EmulatorFaults faults, SynthesisSession session) : Stream
{
    // Odd, unaligned sizes: the first splits the WAV header, later ones end inside samples.
    private static readonly int[] SplitSizes = [7, 13, 1021, 5, 333, 4093, 1, 2047, 99, 16_385];

    private static readonly TimeSpan TransportDrainGrace = TimeSpan.FromMilliseconds(50);

    private readonly Stream _inner = context.Response.Body;
    private long? _budget = faults.DieAfterBytes;
    private int _piece;
    private (int Rate, long Since, long Sent)? _trickle;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (_budget == 0)
            {
                await DieAsync(cancellationToken);
            }

            var size = NextPieceSize(buffer.Length);
            if (_budget is { } budget && budget < size)
            {
                size = (int)budget;
            }

            size = await TrickleAsync(size, cancellationToken);
            await _inner.WriteAsync(buffer[..size], cancellationToken);
            await _inner.FlushAsync(cancellationToken);
            _budget -= size;
            buffer = buffer[size..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => throw new NotSupportedException("The emulator writes asynchronously only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The emulator writes asynchronously only.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int NextPieceSize(int remaining)
    {
        var size = remaining;
        if (options.SplitWrites)
        {
            size = Math.Min(size, SplitSizes[_piece++ % SplitSizes.Length]);
        }

        return options.WriteChunkBytes > 0 ? Math.Min(size, options.WriteChunkBytes) : size;
    }

    // How much of the next piece may go now: all of it, unless a trickle rate is set; then the bytes its rate has
    // allowed since the trickle began and not yet sent (waiting for the next one when none are). Counting from the
    // start, not per piece, keeps the rate exact on a slow machine and lets a test's clock release many bytes at once.
    private async ValueTask<int> TrickleAsync(int wanted, CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        while (faults.TrickleBytesPerSecond is { } rate)
        {
            if (_trickle is not { } trickle || trickle.Rate != rate)
            {
                trickle = (rate, time.GetTimestamp(), 0);
                if (!context.Response.HasStarted)
                {
                    await context.Response.StartAsync(cancellationToken); // the headers first, the body by the drop
                    await _inner.FlushAsync(cancellationToken);
                }
            }

            // Whole ticks, no floating point: a byte is due exactly when its time has come, never a tick early.
            var elapsed = time.GetElapsedTime(trickle.Since).Ticks;
            var due = (long)((Int128)rate * elapsed / TimeSpan.TicksPerSecond) - trickle.Sent;
            if (due > 0)
            {
                var allowed = (int)Math.Min(wanted, due);
                _trickle = trickle with { Sent = trickle.Sent + allowed };
                return allowed;
            }

            _trickle = trickle;
            var next = (long)(((Int128)(trickle.Sent + 1) * TimeSpan.TicksPerSecond + rate - 1) / rate);
            await Task.Delay(TimeSpan.FromTicks(next - elapsed), time, cancellationToken);
        }

        _trickle = null;
        return wanted;
    }

    private async Task DieAsync(CancellationToken cancellationToken)
    {
        await _inner.FlushAsync(cancellationToken);
        session.KilledByFault = true;

        // Abort drops whatever the socket has not sent yet; give it a moment of real (not emulated) time
        // so the client really receives exactly DieAfterBytes bytes.
        await Task.Delay(TransportDrainGrace, TimeProvider.System, CancellationToken.None);
        context.Abort();
        throw new OperationCanceledException("DieAfterBytes: the emulator aborted the connection.");
    }
}
