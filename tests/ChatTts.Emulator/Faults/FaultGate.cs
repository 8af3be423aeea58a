using System.Globalization;
using ChatTts.Emulator.Dialects;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ChatTts.Emulator.Faults;

/// <summary>The answer an unavailable or failing server gives, in its own dialect.</summary>
internal static class FaultGate
{
    /// <summary>The 503 (with <c>Retry-After</c>) or 500 answer when such a fault is on; null otherwise.</summary>
    public static IResult? Rejection(Dialect dialect, EmulatorFaults faults, HttpResponse response)
    {
        if (faults.Unavailable)
        {
            response.Headers[HeaderNames.RetryAfter] = faults.RetryAfterDate is { } date
                ? date.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture)
                : faults.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return dialect.Error(StatusCodes.Status503ServiceUnavailable, "Service Unavailable: the emulator is switched to Unavailable");
        }

        return faults.Fail
            ? dialect.Error(StatusCodes.Status500InternalServerError, "Speech synthesis failed: the emulator is switched to Fail")
            : null;
    }

    /// <summary>The health check's answer under a fault: 503 for <see cref="EmulatorFaults.Unavailable"/> and
    /// <see cref="EmulatorFaults.Fail"/> alike (with <c>Retry-After</c> only for the former); null when healthy.</summary>
    public static IResult? HealthRejection(Dialect dialect, EmulatorFaults faults, HttpResponse response)
    {
        if (faults.Unavailable)
        {
            return Rejection(dialect, faults, response);
        }

        return faults.Fail
            ? dialect.Error(StatusCodes.Status503ServiceUnavailable, "Service Unavailable: the emulator is switched to Fail")
            : null;
    }
}
