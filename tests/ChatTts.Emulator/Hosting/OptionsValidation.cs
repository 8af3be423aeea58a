using System.Net;
using ChatTts.Emulator.Dialects;

namespace ChatTts.Emulator.Hosting;

/// <summary>Checks <see cref="EmulatorOptions"/> before anything starts and reports every problem at once.</summary>
internal static class OptionsValidation
{
    /// <summary>The dialect the options name.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static Dialect Validate(EmulatorOptions options)
    {
        var errors = new List<string>();
        var dialect = DialectRegistry.Find(options.Dialect);
        if (dialect is null)
        {
            errors.Add($"Dialect '{options.Dialect}' is unknown; use one of {string.Join(", ", DialectRegistry.Names)}.");
        }

        if (!IsValidHost(options.Host))
        {
            errors.Add($"Host '{options.Host}' must be an IP address, 'localhost' or '*'.");
        }

        if (options.Port is < 0 or > 65_535)
        {
            errors.Add($"Port {options.Port} must be 0 (any free port) to 65535.");
        }

        if (options.FirstChunkDelay < TimeSpan.Zero)
        {
            errors.Add("FirstChunkDelay must not be negative.");
        }

        if (!double.IsFinite(options.RealTimeFactor) || options.RealTimeFactor < 0)
        {
            errors.Add("RealTimeFactor must be a finite number, 0 or more.");
        }

        if (options.Concurrency < 1)
        {
            errors.Add("Concurrency must be 1 or more.");
        }

        if (options.StepSamples <= 0)
        {
            errors.Add("StepSamples must be positive.");
        }

        if (options.WriteChunkBytes < 0)
        {
            errors.Add("WriteChunkBytes must not be negative (0 = one write per step).");
        }

        if (options.TimeProvider is null)
        {
            errors.Add("TimeProvider is required.");
        }

        return errors.Count == 0 ? dialect! : throw new ArgumentException(string.Join(" ", errors), nameof(options));
    }

    public static bool IsValidHost(string? host) => host is "localhost" or "*" || IPAddress.TryParse(host, out _);
}
