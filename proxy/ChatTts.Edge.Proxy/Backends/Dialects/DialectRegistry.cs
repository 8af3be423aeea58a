using System.Collections.Frozen;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>Every registered <see cref="IBackendDialect"/>, by its configuration name (case-insensitive).</summary>
internal sealed class DialectRegistry(IEnumerable<IBackendDialect> dialects)
{
    private readonly FrozenDictionary<string, IBackendDialect> _byName =
        dialects.ToFrozenDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<string> Names => _byName.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string name, out IBackendDialect dialect) => _byName.TryGetValue(name, out dialect!);
}
