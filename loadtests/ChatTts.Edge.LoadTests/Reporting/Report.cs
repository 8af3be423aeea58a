using System.Text;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>A load-test report: a title, the verdict, facts (one line each) and titled tables, written as Markdown
/// (<c>report.md</c>), plain text (the console) or a self-contained HTML page with charts. Whatever order sections are
/// added in, the change against a baseline and the thresholds come last, the verdict first.</summary>
internal sealed class Report(string title)
{
    public const string ThresholdsTitle = "Thresholds";
    public const string BaselineTitle = "Change against the baseline";

    private readonly List<(string Label, string Value, bool Code)> _facts = [];
    private readonly List<(string Title, TextTable Table)> _sections = [];
    private TextTable? _thresholds;

    public string Title => title;

    /// <summary>The verdict shown first; null until the report is published.</summary>
    public RunVerdict? Verdict { get; private set; }

    /// <summary>The facts in the order they were added; <c>Code</c> marks a value shown as code (a command line).</summary>
    public IReadOnlyList<(string Label, string Value, bool Code)> Facts => _facts.AsReadOnly();

    /// <summary>The titled tables in the order they are shown: as added, then the baseline comparison and the thresholds.</summary>
    public IReadOnlyList<(string Title, TextTable Table)> Sections
    {
        get
        {
            var sections = new List<(string Title, TextTable Table)>(_sections);
            if (Comparison() is { } comparison)
            {
                sections.Add((BaselineTitle, comparison));
            }

            if (_thresholds is not null)
            {
                sections.Add((ThresholdsTitle, _thresholds));
            }

            return sections;
        }
    }

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
        rows.ForEach(f => table.Add(f.Reason, MetricFormat.Value(f.Streams, MetricUnit.Count)));
        return AddSection("Failures", table);
    }

    /// <summary>The "Thresholds" table, shown last: each requirement, what was measured, by how much it was missed,
    /// held or MISSED.</summary>
    public Report AddThresholds(Scenarios.ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _thresholds = new TextTable("threshold", "measured", "missed by", "result");
        foreach (var t in result.Thresholds)
        {
            _thresholds.Add(t.Requirement, t.Actual, t.Miss, t.Passed ? "held" : RunVerdict.MissedWord);
        }

        return this;
    }

    /// <summary>Sets the verdict shown at the top (and, with a baseline, the comparison shown before the thresholds).</summary>
    public Report WithVerdict(RunVerdict verdict)
    {
        Verdict = verdict;
        return this;
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder().Append("# ").AppendLine(title).AppendLine();
        if (Verdict is { } verdict)
        {
            var reasons = verdict.Reasons();
            text.Append("**").Append(verdict.Word).Append("**: ").Append(verdict.Summary).AppendLine(reasons.Count > 0 ? ":" : ".").AppendLine();
            for (var i = 0; i < reasons.Count; i++)
            {
                text.Append(i + 1).Append(". ").AppendLine(reasons[i]);
            }

            if (reasons.Count > 0)
            {
                text.AppendLine();
            }
        }

        foreach (var (label, value, code) in _facts)
        {
            text.Append("- ").Append(label).Append(": ").AppendLine(code ? $"`{value}`" : value);
        }

        foreach (var (sectionTitle, table) in Sections)
        {
            text.AppendLine().Append("## ").AppendLine(sectionTitle).AppendLine().Append(table.ToMarkdown());
        }

        return text.ToString();
    }

    public string ToPlainText()
    {
        var text = new StringBuilder().AppendLine(title).AppendLine(new string('=', title.Length));
        if (Verdict is { } verdict)
        {
            text.Append(verdict.Word).Append(": ").AppendLine(verdict.Summary);
            foreach (var reason in verdict.Reasons())
            {
                text.Append("  - ").AppendLine(reason);
            }

            text.AppendLine();
        }

        var width = _facts.Count == 0 ? 0 : _facts.Max(f => f.Label.Length) + 1;
        foreach (var (label, value, _) in _facts)
        {
            text.Append((label + ":").PadRight(width + 1)).AppendLine(value);
        }

        foreach (var (sectionTitle, table) in Sections)
        {
            text.AppendLine().AppendLine(sectionTitle).Append(table.ToPlainText());
        }

        return text.ToString();
    }

    /// <summary>The report as one self-contained HTML page; with a <paramref name="timeline"/> that has streams,
    /// charts of the run are drawn as inline SVG.</summary>
    public string ToHtml(Timeline? timeline) => HtmlReport.Render(this, timeline);

    /// <summary>Every metric beside its baseline value, the change and whether it is better or worse; null without a baseline.</summary>
    private TextTable? Comparison()
    {
        if (Verdict?.Comparison is not { } comparison)
        {
            return null;
        }

        var table = new TextTable("metric", "baseline", "this run", "change", "change %", "verdict");
        if (comparison.Changes.Count == 0)
        {
            return table.Add("none: this scenario judges its own figures and has no metrics", "", "", "", "", "");
        }

        foreach (var change in comparison.Changes)
        {
            var unit = change.Current.Unit;
            table.Add(change.Current.Name, MetricFormat.Value(change.Baseline ?? double.NaN, unit), MetricFormat.Value(change.Current.Value, unit),
                MetricFormat.Change(change.Difference, unit), MetricFormat.Relative(change.Relative),
                change.Regressed(comparison.MaxRegressionPercent) ? ChangeWords.Regression : ChangeWords.Of(change));
        }

        return table;
    }
}

/// <summary>The words a comparison table says a change is; the HTML report colours them.</summary>
internal static class ChangeWords
{
    public const string Better = "better";
    public const string Worse = "worse";
    public const string Same = "same";
    public const string Regression = "REGRESSION";

    public static string Of(MetricChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Verdict switch
        {
            ChangeVerdict.Better => Better,
            ChangeVerdict.Worse => Worse,
            ChangeVerdict.Same => Same,
            _ => "not compared: " + change.NotComparedBecause,
        };
    }
}
