namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>A scenario's verdict: every threshold it judged.</summary>
internal sealed record ScenarioResult(IReadOnlyList<ThresholdResult> Thresholds)
{
    public bool Passed => Thresholds.All(t => t.Passed);
}

/// <summary>One threshold: what is required, what was measured, and whether it held.</summary>
internal sealed record ThresholdResult(string Requirement, string Actual, bool Passed);
