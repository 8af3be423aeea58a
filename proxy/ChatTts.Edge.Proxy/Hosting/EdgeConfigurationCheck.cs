namespace ChatTts.Edge.Hosting;

/// <summary>The start-up check of the whole configuration: every mistake at once, or the proxy does not start.</summary>
internal static partial class EdgeConfigurationCheck
{
    /// <summary>
    /// Checks every section registered with <c>AddEdgeOptions</c> (values that do not convert, then each section's
    /// rules), then runs <paramref name="loadBackends"/> (YARP reads and checks the backends when it is mapped), and
    /// throws one <see cref="EdgeConfigurationException"/> listing every problem found, each named by its key.
    /// Warnings (durations given as bare numbers) are logged.
    /// </summary>
    public static void CheckEdgeConfiguration(this WebApplication app, Action loadBackends)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(loadBackends);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EdgeConfigurationCheck).FullName!);
        var problems = new List<string>();
        foreach (var section in app.Services.GetServices<EdgeOptionsSection>())
        {
            var (sectionProblems, warnings) = section.Check(app.Services);
            problems.AddRange(sectionProblems);
            foreach (var warning in warnings)
            {
                Log.Suspicious(logger, warning);
            }
        }

        try
        {
            loadBackends();
        }
        catch (Exception ex) when (EdgeConfigurationException.Find(ex) is { } backends)
        {
            problems.InsertRange(0, backends.Problems);
        }
        catch (Exception) when (problems.Count > 0)
        {
            // Loading the backends read options whose mistakes are listed already.
        }

        if (problems.Count > 0)
        {
            throw new EdgeConfigurationException([.. problems.Distinct(StringComparer.Ordinal)]);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ConfigurationWarning, LogLevel.Warning, "Configuration: {Warning}")]
        public static partial void Suspicious(ILogger logger, string warning);
    }
}
