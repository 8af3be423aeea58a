using System.Reflection;

namespace ChatTts.Edge.TestKit;

/// <summary>The proxy's build output folder, built in this kit's configuration (the kit's project reference builds it first).</summary>
internal static class ProxyBuildOutput
{
    public const string AssemblyFile = "ChatTts.Edge.Proxy.dll";

    /// <exception cref="EnvironmentException">The proxy is not built there.</exception>
    public static string Folder()
    {
        var folder = typeof(ProxyBuildOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProxyOutputFolder")?.Value
            ?? throw new EnvironmentException("This build does not record where the proxy is built (ProxyOutputFolder).");
        return File.Exists(Path.Combine(folder, AssemblyFile))
            ? folder
            : throw new EnvironmentException($"The proxy is not built in {folder}; build it with `dotnet build ChatTts.Edge.sln -c <Configuration>`.");
    }
}
