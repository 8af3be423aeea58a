using ChatTts.Edge.LoadTests.Scenarios.Burst;
using ChatTts.Edge.LoadTests.Scenarios.Failover;
using ChatTts.Edge.LoadTests.Scenarios.LongText;
using ChatTts.Edge.LoadTests.Scenarios.OpenAi;
using ChatTts.Edge.LoadTests.Scenarios.Overhead;
using ChatTts.Edge.LoadTests.Scenarios.Quotas;
using ChatTts.Edge.LoadTests.Scenarios.Repeats;
using ChatTts.Edge.LoadTests.Scenarios.Streams;
using ChatTts.Edge.LoadTests.Scenarios.Tls;
using ChatTts.Edge.LoadTests.Scenarios.Utilisation;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>Every scenario the runner knows, by name.</summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new StreamScenario(StreamProfile.Smoke),
        new StreamScenario(StreamProfile.Steady),
        new StreamScenario(StreamProfile.Open),
        new StreamScenario(StreamProfile.Capacity),
        new UtilisationScenario(),
        new QuotasScenario(),
        new TlsScenario(),
        new OpenAiScenario(),
        new OverheadScenario(),
        new FailoverScenario(),
        new BurstScenario(),
        new LongTextScenario(),
        new RepeatsScenario(),
    ];

    public static IScenario? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
