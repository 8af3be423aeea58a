using System.Text.RegularExpressions;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Architecture;

/// <summary>
/// The proxy's folders follow the request, and their dependencies run one way: no folder refers (by a using directive
/// or a qualified name) to one that refers back to it, directly or through others.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Proxy = Path.Combine(Repository.Root, "proxy", "ChatTts.Edge.Proxy");

    [Fact]
    public void Folders_ReferToEachOtherWithoutACycle()
    {
        var graph = Graph();

        var cycles = new List<string>();
        foreach (var start in graph.Keys)
        {
            if (PathBack(graph, start) is { } path)
            {
                cycles.Add(string.Join(" → ", path));
            }
        }

        Assert.True(cycles.Count == 0, "Folders that refer to each other:\n" + string.Join("\n", cycles.Distinct()));
    }

    [Fact]
    public void SourceFiles_AreAtMost250LinesEach()
    {
        var tooLong = Directory.EnumerateFiles(Proxy, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            .Select(f => (File: Path.GetRelativePath(Proxy, f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > 250)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();

        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
    }

    /// <summary>Each top-level folder and the other folders its files refer to.</summary>
    private static Dictionary<string, HashSet<string>> Graph()
    {
        var folders = Directory.EnumerateDirectories(Proxy).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "wwwroot")).ToHashSet(StringComparer.Ordinal)!;
        var graph = folders.ToDictionary(f => f!, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Proxy, folder!), "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f)))
            {
                foreach (Match reference in Reference().Matches(File.ReadAllText(file)))
                {
                    var target = reference.Groups[1].Value;
                    if (target != folder && folders.Contains(target))
                    {
                        graph[folder!].Add(target);
                    }
                }
            }
        }

        return graph;
    }

    /// <summary>A path from <paramref name="start"/> back to itself, if any.</summary>
    private static List<string>? PathBack(Dictionary<string, HashSet<string>> graph, string start)
    {
        var path = new List<string> { start };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Visit(start) ? path : null;

        bool Visit(string folder)
        {
            foreach (var next in graph[folder].Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    path.Add(next);
                    return true;
                }

                if (seen.Add(next))
                {
                    path.Add(next);
                    if (Visit(next))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }
            }

            return false;
        }
    }

    private static bool IsBuildOutput(string file) =>
        file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    [GeneratedRegex(@"\bChatTts\.Edge\.(\w+)")]
    private static partial Regex Reference();
}
