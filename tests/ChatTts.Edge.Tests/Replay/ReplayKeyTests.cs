using System.Reflection;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Replay;

namespace ChatTts.Edge.Tests.Replay;

public sealed class ReplayKeyTests
{
    private static readonly BackendRequest Request = new("Hello there.", "female2", 42, 5, 0.3, 0.7, 20);
    private static readonly BackendModel Model = new("webui", "chattts-1");

    [Fact]
    public void For_TheSameRequestAndModel_IsTheSame64HexKey()
    {
        var key = ReplayKey.For(Request, split: true, Model);

        Assert.Equal(key, ReplayKey.For(Request with { }, split: true, Model with { }));
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    /// <summary>Every property of <see cref="BackendRequest"/> (one added later too) changes the key when it changes.</summary>
    [Fact]
    public void For_EveryFieldThatReachesTheBackend_ChangesTheKey()
    {
        var original = ReplayKey.For(Request, split: true, Model);
        var properties = typeof(BackendRequest).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract").ToList();

        Assert.NotEmpty(properties);
        foreach (var property in properties)
        {
            foreach (var changed in OtherValues(property.PropertyType))
            {
                var request = Request with { };
                property.SetValue(request, changed); // init-only: settable by reflection on a copy
                Assert.True(ReplayKey.For(request, split: true, Model) != original, $"{property.Name} = {changed ?? "null"} left the key unchanged");
            }
        }
    }

    [Fact]
    public void For_SplitDialectOrModel_ChangesTheKey()
    {
        var original = ReplayKey.For(Request, split: true, Model);

        Assert.NotEqual(original, ReplayKey.For(Request, split: false, Model));
        Assert.NotEqual(original, ReplayKey.For(Request, split: true, Model with { Dialect = "forge" }));
        Assert.NotEqual(original, ReplayKey.For(Request, split: true, Model with { Model = "" }));
    }

    [Fact]
    public void For_FieldsRunTogether_DoNotCollide()
    {
        // Without length prefixes, "ab" + "c" and "a" + "bc" would hash the same.
        Assert.NotEqual(
            ReplayKey.For(new BackendRequest("ab", "c", 1), split: true, Model),
            ReplayKey.For(new BackendRequest("a", "bc", 1), split: true, Model));
        Assert.NotEqual(
            ReplayKey.For(Request, split: true, new BackendModel("web", "uichattts-1")),
            ReplayKey.For(Request, split: true, Model));
    }

    private static object?[] OtherValues(Type type) => type switch
    {
        _ when type == typeof(string) => ["Hello there!", "male1"],
        _ when type == typeof(int?) => [null, 43],
        _ when type == typeof(double?) => [null, 0.30000000000000004],
        _ => throw new InvalidOperationException($"A new field type {type} in BackendRequest: teach ReplayKey (and this test) about it."),
    };
}
