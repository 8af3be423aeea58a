using System.Buffers;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Tests.Infrastructure;

internal sealed class CollectingPcmSink : IPcmSink
{
    private readonly ArrayBufferWriter<byte> _bytes = new();

    public int Writes { get; private set; }

    public byte[] Bytes => _bytes.WrittenSpan.ToArray();

    public ValueTask WriteAsync(ReadOnlySequence<byte> pcm, CancellationToken cancellationToken)
    {
        Writes++;
        foreach (var segment in pcm)
        {
            _bytes.Write(segment.Span);
        }

        return ValueTask.CompletedTask;
    }
}
