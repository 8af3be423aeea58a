using System.Globalization;
using System.Text.Json;

namespace ChatTts.Edge.Api;

/// <summary>The two places a speech request's fields come from: a <c>GET</c> query string and a <c>POST</c> JSON body.</summary>
internal sealed partial class SpeechRequestReader
{
    private sealed class QueryFields(IQueryCollection query) : ISpeechFieldSource
    {
        public bool TryGetString(string name, out string value)
        {
            value = query[name].ToString();
            return query.ContainsKey(name);
        }

        public bool TryGetInt(string name, out int value) =>
            TryParse(name, out value, static (string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v), "a whole number");

        public bool TryGetDouble(string name, out double value) =>
            TryParse(name, out value, static (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), "a number");

        public bool TryGetBool(string name, out bool value) =>
            TryParse(name, out value, static (string s, out bool v) => bool.TryParse(s, out v), "true or false");

        private bool TryParse<T>(string name, out T value, Parser<T> parse, string kind)
        {
            value = default!;
            var raw = query[name].ToString();
            if (raw.Length == 0)
            {
                return false; // An empty form field means "not given".
            }

            return parse(raw, out value) ? true : throw new FormatException($"{name} must be {kind}; got '{Truncate(raw)}'.");
        }
    }

    /// <summary>The fields of a JSON object; routes with JSON bodies of their own read theirs with it too.</summary>
    internal sealed class JsonFields(JsonElement root) : ISpeechFieldSource
    {
        public bool TryGetString(string name, out string value)
        {
            value = "";
            if (!TryGet(name, out var element))
            {
                return false;
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"{name} must be a string.");
            }

            try
            {
                value = element.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // Bytes that are not UTF-8, or an escaped lone surrogate: no text at all.
                throw new FormatException($"{name} must be valid Unicode text (UTF-8, no lone surrogates).");
            }

            return true;
        }

        public bool TryGetInt(string name, out int value)
        {
            value = 0;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value)
                ? true
                : throw new FormatException($"{name} must be a whole number.");
        }

        public bool TryGetDouble(string name, out double value)
        {
            value = 0;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            value = element.ValueKind == JsonValueKind.Number ? element.GetDouble() : throw new FormatException($"{name} must be a number.");
            return true;
        }

        public bool TryGetBool(string name, out bool value)
        {
            value = false;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            value = element.ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetBoolean() : throw new FormatException($"{name} must be true or false.");
            return true;
        }

        private bool TryGet(string name, out JsonElement element) =>
            root.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;
    }

    private delegate bool Parser<T>(string raw, out T value);

    private static string Truncate(string raw) => raw.Length <= 32 ? raw : string.Concat(raw.AsSpan(0, 32), "…");
}
