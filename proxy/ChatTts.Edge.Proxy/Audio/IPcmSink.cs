using System.Buffers;

namespace ChatTts.Edge.Audio;

/// <summary>Receives s16le PCM as a backend produces it, in pieces of any size (even mid-sample).</summary>
internal interface IPcmSink
{
    ValueTask WriteAsync(ReadOnlySequence<byte> pcm, CancellationToken cancellationToken);
}
