namespace ChatTts.Edge.Backends.Dialects;

/// <summary>What the dialects share, in one place.</summary>
internal static class DialectDefaults
{
    /// <summary>
    /// The finishing timeout of servers that go on computing after their client leaves (see
    /// <see cref="IBackendDialect.FinishingTimeout"/>): longer than the longest synthesis the edge asks for.
    /// </summary>
    public static readonly TimeSpan KeepsComputing = TimeSpan.FromMinutes(5);
}
