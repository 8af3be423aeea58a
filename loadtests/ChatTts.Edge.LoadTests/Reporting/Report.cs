using System.Text;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>A load-test report: a title, facts (one line each) and titled tables, written as Markdown
/// (<c>report.md</c>), plain text (the console) or a self-contained HTML page with charts.</summary>
internal sealed class Report(string title)
{
    private readonly List<(string Label, string Value, bool Code)> _facts = [];
    private readonly List<(string Title, TextTable Table)> _sections = [];

    public string Title => title;

    /// <summary>The facts in the order they were added; <c>Code</c> marks a value shown as code (a command line).</summary>
    public IReadOnlyList<(string Label, string Value, bool Code)> Facts => _facts.AsReadOnly();

    /// <summary>The titled tables in the order they were added.</summary>
    public IReadOnlyList<(string Title, TextTable Table)> Sections => _sections.AsReadOnly();

    public Report AddFact(string label, string value, bool code = false)
    {
        _facts.Add((label, value, code));
        return this;
    }

    public Report AddSection(string sectionTitle, TextTable table)
    {
        _sections.Add((sectionTitle, table));
        return this;
    }

    /// <summary>A "Failures" table, most frequent reason first; nothing when no stream failed.</summary>
    public Report AddFailures(IEnumerable<(string Reason, int Streams)> failures, string reasonHeading = "failure")
    {
        var rows = failures.OrderByDescending(f => f.Streams).ToList();
        if (rows.Count == 0)
        {
            return this;
        }

        var table = new TextTable(reasonHeading, "streams");
        rows.ForEach(f => table.Add(f.Reason, Figures.Count(f.Streams)));
        return AddSection("Failures", table);
    }

    /// <summary>The "Thresholds" table: each requirement, what was measured, held or MISSED.</summary>
    public Report AddThresholds(Scenarios.ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var thresholds = new TextTable("threshold", "measured", "result");
        foreach (var t in result.Thresholds)
        {
            thresholds.Add(t.Requirement, t.Actual, t.Passed ? "held" : "MISSED");
        }

        return AddSection("Thresholds", thresholds);
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder().Append("# ").AppendLine(title).AppendLine();
        foreach (var (label, value, code) in _facts)
        {
            text.Append("- ").Append(label).Append(": ").AppendLine(code ? $"`{value}`" : value);
        }

        foreach (var (sectionTitle, table) in _sections)
        {
            text.AppendLine().Append("## ").AppendLine(sectionTitle).AppendLine().Append(table.ToMarkdown());
        }

        return text.ToString();
    }

    public string ToPlainText()
    {
        var text = new StringBuilder().AppendLine(title).AppendLine(new string('=', title.Length));
        var width = _facts.Count == 0 ? 0 : _facts.Max(f => f.Label.Length) + 1;
        foreach (var (label, value, _) in _facts)
        {
            text.Append((label + ":").PadRight(width + 1)).AppendLine(value);
        }

        foreach (var (sectionTitle, table) in _sections)
        {
            text.AppendLine().AppendLine(sectionTitle).Append(table.ToPlainText());
        }

        return text.ToString();
    }

    /// <summary>The report as one self-contained HTML page; with a <paramref name="timeline"/> that has streams,
    /// charts of the time to first audio and of the throughput are drawn as inline SVG.</summary>
    public string ToHtml(Timeline? timeline) => HtmlReport.Render(this, timeline);
}
