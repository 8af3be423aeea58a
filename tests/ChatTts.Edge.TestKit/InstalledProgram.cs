namespace ChatTts.Edge.TestKit;

/// <summary>Programs from Debian's packages that tests and load runs start (<c>scripts/install-deps.sh</c> installs them).</summary>
internal static class InstalledProgram
{
    /// <summary>
    /// <paramref name="path"/>, where Debian's package <paramref name="package"/> installs it, or else the first program of
    /// that name on <c>PATH</c>.
    /// </summary>
    /// <exception cref="EnvironmentException">It is in neither place.</exception>
    public static string Find(string path, string package)
    {
        if (File.Exists(path))
        {
            return path;
        }

        var name = Path.GetFileName(path);
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists)
            ?? throw new EnvironmentException($"{path} is missing: run scripts/install-deps.sh as root to install Debian's {package}.");
    }
}
