using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Keeps every log entry an in-process proxy writes (from Information up), for tests that read its logs.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message, int EventId)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message, int EventId)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue((logLevel, category, formatter(state, exception), eventId.Id));
            }
        }
    }
}
