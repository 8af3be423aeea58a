namespace ChatTts.Edge.Streaming.OpenAi;

/// <summary>OpenAI's <c>response_format</c>s the edge speaks: both are ChatTTS's own s16le, 24 kHz, mono.</summary>
internal enum OpenAiAudioFormat
{
    /// <summary>A WAV stream: a 44-byte header with sizes 0xFFFFFFFF (the length is not known yet), then the PCM.</summary>
    Wav,

    /// <summary>The PCM alone, as OpenAI's <c>pcm</c> is.</summary>
    Pcm,
}

/// <summary>OpenAI's <c>stream_format</c>s.</summary>
internal enum OpenAiStreamFormat
{
    /// <summary>The audio file itself, as a chunked body that grows as the audio is synthesized.</summary>
    Audio,

    /// <summary>
    /// Server-Sent Events: <c>speech.audio.delta</c> events whose base64 <c>audio</c> are consecutive byte ranges of the body
    /// <see cref="Audio"/> would send, then one <c>speech.audio.done</c> with the usage.
    /// </summary>
    Sse,
}

/// <summary>What the edge counts as OpenAI usage: ChatTTS reports no tokens, so the edge says what it charged and what it sent.</summary>
internal static class OpenAiUsage
{
    /// <summary>Audio per output token: 20 ms, the shortest chunk the edge's own API offers.</summary>
    public const int SamplesPerOutputToken = StreamingDefaults.MinProgressSamples;

    /// <summary>Input tokens: the characters of <c>input</c> (Unicode), the unit the edge's quotas charge.</summary>
    public static long InputTokens(int characters) => characters;

    /// <summary>Output tokens: the audio's length in 20 ms units, rounded up.</summary>
    public static long OutputTokens(long samples) => (samples + SamplesPerOutputToken - 1) / SamplesPerOutputToken;
}
