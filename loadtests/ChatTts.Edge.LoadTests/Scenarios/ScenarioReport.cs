using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What a run ends with: its report, its verdict, and what else the error console should show when it misses
/// a threshold (e.g. redis-server's latest output; the proxies' comes anyway).</summary>
internal sealed record ScenarioReport(Report Report, ScenarioResult Result, string FailureOutput = "");
