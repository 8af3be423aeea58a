using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Callers;

/// <summary>
/// Section <c>Edge:ForwardedHeaders</c>: the balancers and proxies in front of the edge whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed, so that the anonymous plan, the logs and the admin loopback rule see the real
/// client. Nothing is trusted by default: the headers are then ignored, whoever sends them.
/// </summary>
internal sealed class ForwarderOptions
{
    public const string SectionName = "Edge:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies, in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies' entries are read from the end of <c>X-Forwarded-For</c> (each must be trusted).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    /// <summary>True when some proxy is trusted.</summary>
    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>Every trusted address and network must parse.</summary>
internal sealed class ForwarderOptionsValidator : IValidateOptions<ForwarderOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                problems.Add($"{ForwarderOptions.SectionName}:KnownProxies:{i} ('{options.KnownProxies[i]}') is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                problems.Add($"{ForwarderOptions.SectionName}:KnownNetworks:{i} ('{options.KnownNetworks[i]}') is not a network in CIDR notation (e.g. 10.0.0.0/8).");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
