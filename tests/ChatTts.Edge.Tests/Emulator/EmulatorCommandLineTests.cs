using ChatTts.Emulator.Hosting;

namespace ChatTts.Edge.Tests.Emulator;

/// <summary>The command line gives a load test every habit override an in-process test has.</summary>
public sealed class EmulatorCommandLineTests
{
    [Fact]
    public void TryParse_HabitOverrides_ReachTheOptions()
    {
        var ok = CommandLine.TryParse(
            ["--instance", "chattts-openai:0", "--health-blocks", "off", "--keeps-computing", "off", "--parallel", "on", "--require-content-length"],
            out var settings,
            out var error);

        Assert.True(ok, error);
        var options = settings.ToOptions("chattts-openai", 0);
        Assert.False(options.HealthBlocksDuringSynthesis);
        Assert.False(options.KeepsComputingAfterDisconnect);
        Assert.True(options.RunsInParallel);
        Assert.True(options.RequireContentLength);
    }

    [Fact]
    public void TryParse_NoOverrides_LeavesTheDialectsHabits()
    {
        Assert.True(CommandLine.TryParse(["--instance", "forge:0"], out var settings, out _));

        var options = settings.ToOptions("forge", 0);

        Assert.Null(options.HealthBlocksDuringSynthesis);
        Assert.Null(options.KeepsComputingAfterDisconnect);
        Assert.Null(options.RunsInParallel);
        Assert.False(options.RequireContentLength);
    }

    [Theory]
    [InlineData("--health-blocks")]
    [InlineData("--keeps-computing")]
    [InlineData("--parallel")]
    public void TryParse_SwitchNotOnOrOff_IsAUsageError(string flag)
    {
        Assert.False(CommandLine.TryParse(["--instance", "forge:0", flag, "sometimes"], out _, out var error));

        Assert.Equal($"Invalid value 'sometimes' for {flag}.", error);
        Assert.Contains(flag + " on|off", CommandLine.Usage, StringComparison.Ordinal);
    }
}
