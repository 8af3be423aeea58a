using System.Collections.Frozen;

namespace ChatTts.Edge.Api.OpenAi;

/// <summary>The fields of OpenAI's speech request (<c>POST /v1/audio/speech</c>), and how their values become the edge's.</summary>
internal static class OpenAiSpeechFields
{
    public const string Model = "model";
    public const string Input = "input";
    public const string Voice = "voice";
    public const string ResponseFormat = "response_format";
    public const string Speed = "speed";
    public const string Instructions = "instructions";
    public const string StreamFormat = "stream_format";

    public const double MinSpeed = 0.25;
    public const double MaxSpeed = 4.0;

    /// <summary>OpenAI's own limit on <c>instructions</c>; they are accepted and ignored (ChatTTS takes no style prompt).</summary>
    public const int MaxInstructionsLength = 4096;

    public static readonly FrozenSet<string> All = FrozenSet.Create(StringComparer.Ordinal, Model, Input, Voice, ResponseFormat, Speed, Instructions, StreamFormat);

    /// <summary>The <c>response_format</c>s the edge sends: ChatTTS's PCM as it is, in a WAV stream or bare.</summary>
    public static readonly string[] SupportedFormats = ["wav", "pcm"];

    /// <summary>OpenAI's encoded formats, which the edge does not encode to.</summary>
    public static readonly string[] EncodedFormats = ["mp3", "opus", "aac", "flac"];

    public static readonly string[] StreamFormats = ["audio", "sse"];

    /// <summary>
    /// OpenAI's <c>speed</c> (0.25–4.0, 1 normal) as the edge's (1–9, ChatTTS's <c>[speed_N]</c>, 5 normal), on a log scale
    /// so that halving and doubling are symmetric: 0.25 → 1, 0.5 → 3, 2 → 7, 4 → 9. 1.0 is left out (each backend's
    /// default); as the edge's own <c>speed</c>, only the dialects that take one send it (see the README's field table).
    /// </summary>
    public static int? EdgeSpeed(double speed) =>
        speed == 1.0 ? null : Math.Clamp((int)Math.Round(5 + (2 * Math.Log2(speed)), MidpointRounding.AwayFromZero), SpeechRequestLimits.MinSpeed, SpeechRequestLimits.MaxSpeed);

    public static string List(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"'{v}'"));
}
