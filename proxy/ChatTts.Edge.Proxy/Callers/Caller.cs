namespace ChatTts.Edge.Callers;

/// <summary>Who is calling: the key (or certificate, or anonymous client) it is identified as, and its plan's name.</summary>
/// <param name="KeyId">The configured key id, <c>cert:&lt;CN&gt;</c>, or <c>anonymous:&lt;address&gt;</c>.</param>
/// <param name="PlanName">The name of the quota plan it is charged to.</param>
/// <param name="ViaToken">True when the caller presented a browser token rather than the key.</param>
/// <param name="MaxCharacters">A token's cap on the characters of one request, if it has one.</param>
/// <param name="Anonymous">True for a caller without a key (the <c>anonymous</c> plan, counted per client address).</param>
internal sealed record Caller(string KeyId, string PlanName, bool ViaToken = false, int? MaxCharacters = null, bool Anonymous = false);

/// <summary>Carries the identified <see cref="Caller"/> from the identity filter to the handlers.</summary>
internal static class CallerContext
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, Caller caller) => context.Items[Key] = caller;

    public static Caller Get(HttpContext context) =>
        context.Items.TryGetValue(Key, out var caller) && caller is Caller known
            ? known
            : throw new InvalidOperationException("The endpoint is missing the caller identity filter.");
}
