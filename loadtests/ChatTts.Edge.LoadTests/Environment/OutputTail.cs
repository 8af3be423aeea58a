using System.Text;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>The latest lines a process wrote, kept to show when a run fails. Thread-safe.</summary>
internal sealed class OutputTail(string name, int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>The lines between a heading and an end marker, or nothing when there were none.</summary>
    public override string ToString()
    {
        lock (_lines)
        {
            if (_lines.Count == 0)
            {
                return "";
            }

            var text = new StringBuilder().AppendLine($"--- {name} output (latest {_lines.Count} lines) ---");
            foreach (var line in _lines)
            {
                text.AppendLine(line);
            }

            return text.AppendLine($"--- end of {name} output ---").ToString();
        }
    }
}
