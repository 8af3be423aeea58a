using System.Text.Json;
using ChatTts.Edge.Streaming.OpenAi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using static ChatTts.Edge.Api.OpenAi.OpenAiSpeechFields;

namespace ChatTts.Edge.Api.OpenAi;

/// <summary>A valid OpenAI speech request: the edge's request for speech, and the wire format to answer in.</summary>
internal sealed record OpenAiSpeechRequest(SpeechRequest Speech, OpenAiAudioFormat Format, OpenAiStreamFormat Stream);

/// <summary>
/// Reads OpenAI's speech request body. OpenAI's own fields are checked here (<c>model</c> among <c>Edge:OpenAi:Models</c>,
/// <c>voice</c> in <c>Edge:OpenAi:Voices</c>, the formats, <c>speed</c> 0.25–4.0); <c>input</c> and the mapped voice and speed
/// then go through the edge's own <see cref="SpeechRequestValidator"/>, so the text limits and the fleet's voices are the
/// streaming API's. Every mistake is reported at once; the first one names the OpenAI error's <c>param</c> and <c>code</c>.
/// </summary>
internal sealed class OpenAiSpeechRequestReader(SpeechRequestValidator validator, IOptionsMonitor<OpenAiOptions> options)
{
    private const string Example = "{\"model\": \"tts-1\", \"input\": \"Hello\", \"voice\": \"alloy\"}";

    public async Task<(OpenAiSpeechRequest? Request, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (document, problem) = await SpeechRequestReader.ReadJsonObjectAsync(
            request, Example, $"the fields are {List(All.Order(StringComparer.Ordinal))}", cancellationToken, hasQueryForm: false);
        if (document is null)
        {
            return (null, problem);
        }

        using (document)
        {
            var errors = new OpenAiRequestErrors();
            var root = document.RootElement;
            foreach (var property in root.EnumerateObject())
            {
                if (!All.Contains(property.Name))
                {
                    errors.Add(property.Name, "unknown_parameter", $"Unrecognized request argument supplied: '{property.Name}'; the fields are {List(All.Order(StringComparer.Ordinal))}.");
                }
            }

            var fields = new SpeechRequestReader.JsonFields(root);
            var openAi = options.CurrentValue;
            var model = Read(fields, Model, errors, required: true);
            if (model is not null && !openAi.ModelIds.Contains(model, StringComparer.Ordinal))
            {
                errors.Add(Model, "model_not_found", $"The model '{model}' is not served here; the models are {List(openAi.ModelIds)}.");
            }

            var input = Read(fields, Input, errors, required: true);
            var voice = ReadVoice(root, openAi, errors);
            var format = Choose(Read(fields, ResponseFormat, errors) ?? "wav", ResponseFormat, SupportedFormats, errors) switch
            {
                "pcm" => OpenAiAudioFormat.Pcm,
                _ => OpenAiAudioFormat.Wav,
            };
            var stream = Choose(Read(fields, StreamFormat, errors) ?? "audio", StreamFormat, StreamFormats, errors) == "sse" ? OpenAiStreamFormat.Sse : OpenAiStreamFormat.Audio;
            if (Read(fields, Instructions, errors) is { Length: > MaxInstructionsLength } instructions)
            {
                errors.Add(Instructions, "string_above_max_length", $"instructions has {instructions.Length} characters; at most {MaxInstructionsLength} are allowed.");
            }

            int? speed = null;
            try
            {
                if (fields.TryGetDouble(Speed, out var value))
                {
                    speed = value is >= MinSpeed and <= MaxSpeed
                        ? EdgeSpeed(value)
                        : errors.Add(Speed, "invalid_value", $"speed must be a number from {MinSpeed} to {MaxSpeed}; got {value}.", (int?)null);
                }
            }
            catch (FormatException ex)
            {
                errors.Add(Speed, "invalid_type", ex.Message);
            }

            // The edge's own checks of the text, and of the voice against the fleet, in OpenAI's field names.
            var result = validator.Validate(new MappedFields(input, voice, speed), errors.ByField);
            if (result.Request is { } speech && errors.Count == 0)
            {
                return (new OpenAiSpeechRequest(speech, format, stream), null);
            }

            return (null, errors.Problem(result.Problem));
        }
    }

    private static string? ReadVoice(JsonElement root, OpenAiOptions options, OpenAiRequestErrors errors)
    {
        if (!root.TryGetProperty(Voice, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return errors.Add(Voice, "missing_required_parameter", $"voice is required: one of {List(options.Voices.Keys.Order(StringComparer.Ordinal))}.", (string?)null);
        }

        // OpenAI also takes a custom voice as {"id": "…"}: here its id is looked up like a name.
        var name = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Object when element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String => id.GetString(),
            _ => null,
        };
        if (name is null || !options.Voices.TryGetValue(name, out var edgeVoice))
        {
            return errors.Add(Voice, "invalid_value", $"voice must be one of {List(options.Voices.Keys.Order(StringComparer.Ordinal))}" +
                (name is null ? "." : $"; got '{Truncate(name)}'."), (string?)null);
        }

        return edgeVoice.Length == 0 ? null : edgeVoice;
    }

    private static string? Read(SpeechRequestReader.JsonFields fields, string name, OpenAiRequestErrors errors, bool required = false)
    {
        try
        {
            if (fields.TryGetString(name, out var value))
            {
                return value;
            }
        }
        catch (FormatException ex)
        {
            return errors.Add(name, "invalid_type", ex.Message, (string?)null);
        }

        return required ? errors.Add(name, "missing_required_parameter", $"{name} is required.", (string?)null) : null;
    }

    private static string? Choose(string value, string name, string[] supported, OpenAiRequestErrors errors)
    {
        if (supported.Contains(value, StringComparer.Ordinal))
        {
            return value;
        }

        var message = name == ResponseFormat && EncodedFormats.Contains(value, StringComparer.Ordinal)
            ? $"response_format '{value}' is not supported by this server, which streams ChatTTS's 24 kHz 16-bit mono PCM as it is: use {List(supported)}."
            : $"{name} must be one of {List(supported)}; got '{Truncate(value)}'.";
        return errors.Add(name, name == ResponseFormat ? "unsupported_response_format" : "invalid_value", message, (string?)null);
    }

    private static string Truncate(string raw) => raw.Length <= 32 ? raw : string.Concat(raw.AsSpan(0, 32), "…");

    /// <summary>The fields the edge's validator reads, from OpenAI's: <c>input</c> as the text, the mapped voice and speed.</summary>
    private sealed class MappedFields(string? input, string? voice, int? speed) : ISpeechFieldSource
    {
        public bool TryGetString(string name, out string value)
        {
            value = name switch
            {
                SpeechRequestFields.Text => input ?? "",
                SpeechRequestFields.Voice => voice ?? "",
                _ => "",
            };
            return name switch
            {
                SpeechRequestFields.Text => input is not null,
                SpeechRequestFields.Voice => voice is not null,
                _ => false,
            };
        }

        public bool TryGetInt(string name, out int value)
        {
            value = speed ?? 0;
            return name == SpeechRequestFields.Speed && speed is not null;
        }

        public bool TryGetDouble(string name, out double value)
        {
            value = 0;
            return false;
        }

        // OpenAI's body has no split field: a long input is split by sentence as the edge's default says.
        public bool TryGetBool(string name, out bool value)
        {
            value = false;
            return false;
        }
    }
}
