namespace ChatTts.Edge.Hosting;

/// <summary>The configuration has mistakes; <see cref="Problems"/> names each with its key path.</summary>
internal sealed class EdgeConfigurationException : InvalidOperationException
{
    public EdgeConfigurationException()
        : this([])
    {
    }

    public EdgeConfigurationException(string message)
        : this([message])
    {
    }

    public EdgeConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    public EdgeConfigurationException(IReadOnlyList<string> problems)
        : base($"The configuration has {problems.Count} problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// For <see cref="AppDomain.UnhandledException"/>: a configuration that stops the start is reported as the list of
    /// its problems and exit code 1, not as a crash with a stack trace.
    /// </summary>
    public static void ReportAndExit(object sender, UnhandledExceptionEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (Find(args.ExceptionObject as Exception) is { } mistakes)
        {
            Console.Error.WriteLine(mistakes.Message);
            Environment.Exit(1);
        }
    }

    /// <summary>The first <see cref="EdgeConfigurationException"/> inside <paramref name="exception"/> (YARP wraps its filters' exceptions).</summary>
    public static EdgeConfigurationException? Find(Exception? exception) => exception switch
    {
        null => null,
        EdgeConfigurationException found => found,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null),
        _ => Find(exception.InnerException),
    };
}
