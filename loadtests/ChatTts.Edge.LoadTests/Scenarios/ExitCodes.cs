namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>The runner's exit codes, a contract for CI.</summary>
internal static class ExitCodes
{
    /// <summary>Every threshold held (or help was shown).</summary>
    public const int Passed = 0;

    /// <summary>The scenario ran and at least one threshold was missed, or a metric regressed beyond <c>--max-regression</c>.</summary>
    public const int ThresholdsMissed = 1;

    /// <summary>Bad command line, or the environment could not be started or was interrupted.</summary>
    public const int UsageOrEnvironmentError = 2;
}
