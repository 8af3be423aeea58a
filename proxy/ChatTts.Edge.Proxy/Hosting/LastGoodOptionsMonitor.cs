using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ChatTts.Edge.Hosting;

/// <summary>
/// An <see cref="IOptionsMonitor{TOptions}"/> that never lets a bad reload break serving: when the configuration changes
/// and the section no longer binds or validates, the problems are logged (once per distinct set) and the last good
/// values stay in force; the next good change applies as usual.
/// </summary>
internal sealed partial class LastGoodOptionsMonitor<TOptions> : IOptionsMonitor<TOptions>, IDisposable
    where TOptions : class
{
    private readonly IOptionsFactory<TOptions> _factory;
    private readonly EdgeOptionsSection _section;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Lock _lock = new();
    private readonly List<Action<TOptions, string?>> _listeners = [];
    private volatile TOptions _current;
    private string? _lastRefused;

    public LastGoodOptionsMonitor(IOptionsFactory<TOptions> factory, IEnumerable<IOptionsChangeTokenSource<TOptions>> sources, EdgeOptionsSection section, IServiceProvider services, ILogger logger)
    {
        _factory = factory;
        _section = section;
        _services = services;
        _logger = logger;
        _current = CreateOrDefault(factory);
        foreach (var source in sources)
        {
            _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
        }
    }

    public TOptions CurrentValue => _current;

    public TOptions Get(string? name) => string.IsNullOrEmpty(name) ? _current : _factory.Create(name);

    public IDisposable? OnChange(Action<TOptions, string?> listener)
    {
        lock (_lock)
        {
            _listeners.Add(listener);
        }

        return new Subscription(this, listener);
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }

    /// <summary>
    /// Mistakes found at start-up are <see cref="EdgeConfigurationCheck"/>'s to report, and it stops the start; until it
    /// runs (Kestrel and the host read some options while the application is built), the defaults stand in.
    /// </summary>
    private static TOptions CreateOrDefault(IOptionsFactory<TOptions> factory)
    {
        try
        {
            return factory.Create(Options.DefaultName);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            return Activator.CreateInstance<TOptions>();
        }
    }

    private void Reload()
    {
        var (problems, _) = _section.Check(_services);
        if (problems.Count > 0)
        {
            var refused = string.Join(" ", problems);
            if (refused != Interlocked.Exchange(ref _lastRefused, refused))
            {
                Log.ReloadRefused(_logger, _section.Path, refused);
            }

            return;
        }

        var next = _factory.Create(Options.DefaultName);
        _current = next;
        if (Interlocked.Exchange(ref _lastRefused, null) is not null)
        {
            Log.ReloadApplied(_logger, _section.Path);
        }

        Action<TOptions, string?>[] listeners;
        lock (_lock)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(next, Options.DefaultName);
        }
    }

    private sealed class Subscription(LastGoodOptionsMonitor<TOptions> owner, Action<TOptions, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._listeners.Remove(listener);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ReloadRefused, LogLevel.Error, "The configuration of {Section} changed and is refused; the last good values stay in force: {Problems}")]
        public static partial void ReloadRefused(ILogger logger, string section, string problems);

        [LoggerMessage(LogEvents.ReloadApplied, LogLevel.Information, "The configuration of {Section} is valid again and applied")]
        public static partial void ReloadApplied(ILogger logger, string section);
    }
}
