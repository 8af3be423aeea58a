using System.Text.Json.Nodes;

namespace ChatTts.Edge.Tests.Infrastructure;

internal static class JsonAssert
{
    /// <summary>Equal as JSON values (escaping and whitespace aside; property order matters to neither).</summary>
    public static void Equal(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}{Environment.NewLine}but got  {actual}");
}
