namespace ChatTts.Edge.Backends;

/// <summary>
/// What a backend is asked to synthesize, in the edge's units (see the README's field table for what each dialect
/// makes of each field). Null fields are left to the backend's own defaults.
/// </summary>
internal sealed record BackendRequest(
    string Text,
    string? Voice = null,
    int? Seed = null,
    int? Speed = null,
    double? Temperature = null,
    double? TopP = null,
    int? TopK = null);

/// <summary>A field of a <see cref="BackendRequest"/> some dialect cannot honour, and what it accepts instead.</summary>
/// <param name="Field">The field's name, as the API names it (<c>voice</c>, <c>text</c>).</param>
/// <param name="Accepted">For the client: what such servers accept, e.g. "chattts-openai servers take the voices …".</param>
internal sealed record UnsupportedField(string Field, string Accepted);
