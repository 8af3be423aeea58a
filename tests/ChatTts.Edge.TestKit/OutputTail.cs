using System.Text;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// The lines a process wrote: the latest <c>capacity</c> of them, to show when a run fails, or (without a capacity)
/// every one, for a test that reads the whole log. Thread-safe.
/// </summary>
internal sealed class OutputTail(string name, int? capacity)
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

    /// <summary>The lines kept, one per line.</summary>
    public string Text()
    {
        lock (_lines)
        {
            return string.Join(Environment.NewLine, _lines);
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
