using System.Text;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>A table of text cells, drawn as padded plain text for the console or as a Markdown table.
/// Columns of figures are right-aligned; the first column and columns of words are left-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public IReadOnlyList<string> Headers => Array.AsReadOnly(headers);

    /// <summary>The rows in the order they were added, each with one cell per header.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows.ConvertAll(Array.AsReadOnly).AsReadOnly();

    public TextTable Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row has {cells.Length} cells; the table has {headers.Length} columns.", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <summary>Whether a column holds figures (every non-empty cell starts with a digit, a sign or the no-value dash), so
    /// it is right-aligned; the first column never is.</summary>
    public bool IsFigureColumn(int column) =>
        column > 0 && _rows.All(r => r[column].Length == 0 || char.IsAsciiDigit(r[column][0]) || r[column][0] is '+' or '-' or '−' or '–' or '∞');

    public string ToPlainText()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var figures = FigureColumns();
        var text = new StringBuilder();
        AppendPlain(text, headers, widths, figures);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            AppendPlain(text, row, widths, figures);
        }

        return text.ToString();
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", headers.Select(Escape)).AppendLine(" |");
        text.Append('|').AppendJoin('|', FigureColumns().Select(figures => figures ? "---:" : "---")).AppendLine("|");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Escape)).AppendLine(" |");
        }

        return text.ToString();
    }

    /// <summary><see cref="IsFigureColumn"/> of every column.</summary>
    public bool[] FigureColumns() => [.. headers.Select((_, i) => IsFigureColumn(i))];

    private static void AppendPlain(StringBuilder text, string[] cells, int[] widths, bool[] figures) =>
        text.AppendLine(string.Join("  ", cells.Select((cell, i) => figures[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd());

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
