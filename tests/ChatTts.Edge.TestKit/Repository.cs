namespace ChatTts.Edge.TestKit;

/// <summary>The repository the tests were built from.</summary>
internal static class Repository
{
    /// <summary>The folder holding <c>ChatTts.Edge.sln</c>, found upwards from the running assembly's folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChatTts.Edge.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("ChatTts.Edge.sln not found");
    }
}
