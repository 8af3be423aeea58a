using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Options that never change, for unit tests of classes that take an <see cref="IOptionsMonitor{TOptions}"/>.</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
