namespace ChatTts.Edge.Backends;

/// <summary>What one backend answer may cost the edge: bounded memory per message, bounded audio per synthesis.</summary>
/// <param name="MaxEventBytes">Largest single message read whole (an SSE event).</param>
/// <param name="MaxPcmBytes">Most PCM one synthesis may produce; a WAV announcing more is refused at its header.</param>
internal readonly record struct BackendLimits(int MaxEventBytes, long MaxPcmBytes);
