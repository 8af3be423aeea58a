namespace ChatTts.Emulator.Dialects;

/// <summary>The dialect names (a contract shared with the proxy's <c>Metadata.Dialect</c>) and their implementations.</summary>
internal static class DialectRegistry
{
    public const string WebUi = "webui";
    public const string ChatTtsOpenAi = "chattts-openai";
    public const string Forge = "forge";
    public const string ChatTtsUi = "chattts-ui";

    public static IReadOnlyList<string> Names { get; } = [WebUi, ChatTtsOpenAi, Forge, ChatTtsUi];

    public static Dialect? Find(string? name) => name switch
    {
        WebUi => new WebUiDialect(),
        ChatTtsOpenAi => new ChatTtsOpenAiDialect(),
        Forge => new ForgeDialect(),
        ChatTtsUi => new ChatTtsUiDialect(),
        _ => null,
    };
}
