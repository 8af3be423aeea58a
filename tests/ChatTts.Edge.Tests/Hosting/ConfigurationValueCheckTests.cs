using ChatTts.Edge.Hosting;
using ChatTts.Edge.Quotas;
using Microsoft.Extensions.Configuration;

namespace ChatTts.Edge.Tests.Hosting;

public sealed class ConfigurationValueCheckTests
{
    [Fact]
    public void Check_EveryValueThatDoesNotConvert_IsNamedByKeyIncludingNestedOnes()
    {
        var (problems, warnings) = Check(new()
        {
            ["Edge:Quotas:Store"] = "Redsi",
            ["Edge:Quotas:FailureMode"] = "Ajar",
            ["Edge:Quotas:LeaseTtl"] = "half a minute",
            ["Edge:Quotas:Plans:gold:Burst"] = "ten",
            ["Edge:Quotas:Plans:gold:RequestsPerMinute"] = "60",
            ["Edge:Quotas:Keys:bob:Plan"] = "gold",
        });

        Assert.Equal(
        [
            "Edge:Quotas:FailureMode is 'Ajar', which is not one of Open, Closed.",
            "Edge:Quotas:LeaseTtl is 'half a minute', which is not a duration such as 00:00:30 (hh:mm:ss).",
            "Edge:Quotas:Plans:gold:Burst is 'ten', which is not a whole number.",
            "Edge:Quotas:Store is 'Redsi', which is not one of Memory, Redis.",
        ], problems.Order(StringComparer.Ordinal));
        Assert.Empty(warnings);
    }

    [Fact]
    public void Check_ADurationGivenAsABareNumber_WarnsThatItMeansDays()
    {
        var (problems, warnings) = Check(new() { ["Edge:Quotas:LeaseTtl"] = "15" });

        Assert.Empty(problems);
        Assert.Contains("Edge:Quotas:LeaseTtl is '15', which reads as 15 day(s)", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ValidValuesAndEmptyOptionalOnes_AreFine()
    {
        var (problems, warnings) = Check(new()
        {
            ["Edge:Quotas:Store"] = "redis",
            ["Edge:Quotas:LeaseTtl"] = "00:00:30",
            ["Edge:Quotas:Plans:gold:Burst"] = "",
            ["Edge:Quotas:Redis"] = "",
        });

        Assert.Empty(problems);
        Assert.Empty(warnings);
    }

    private static (List<string> Problems, List<string> Warnings) Check(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        List<string> problems = [];
        List<string> warnings = [];
        ConfigurationValueCheck.Check(configuration.GetSection(QuotaOptions.SectionName), typeof(QuotaOptions), problems, warnings);
        return (problems, warnings);
    }
}
