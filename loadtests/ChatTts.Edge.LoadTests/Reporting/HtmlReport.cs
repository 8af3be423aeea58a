using System.Net;
using System.Text;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>Renders a <see cref="Report"/> as one self-contained HTML page: no script, no external file, no web font.
/// The verdict comes first as a coloured banner with the missed thresholds and regressions, then the facts as a
/// definition list; a <see cref="Timeline"/> with streams adds the <see cref="TimelineCharts"/> (with threshold and
/// baseline lines), a baseline the <see cref="ChangeChart"/>; every section is a table (figure columns right-aligned,
/// threshold results and changes coloured).</summary>
internal static class HtmlReport
{
    private const string Style = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f9fafb; color: #111827; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
        h1 { font-size: 26px; margin: 0 0 16px; }
        h2 { font-size: 19px; margin: 32px 0 8px; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
        dt { font-weight: 600; }
        dd { margin: 0; overflow-wrap: anywhere; }
        code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef0f3; padding: 1px 4px; border-radius: 3px; }
        table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 12px; border-bottom: 1px solid #e5e7eb; text-align: right; vertical-align: top; }
        th:first-child, td:first-child, th.text, td.text { text-align: left; }
        th { background: #f3f4f6; font-weight: 600; }
        th, td.figure { white-space: nowrap; }
        tr.missed td { background: #fee2e2; }
        tr.held td { background: #dcfce7; }
        td.missed { color: #b91c1c; font-weight: 700; }
        td.held { color: #15803d; font-weight: 600; }
        td.better { color: #15803d; }
        td.worse { color: #b45309; }
        .verdict { margin: 0 0 20px; padding: 14px 18px; border-radius: 6px; border: 1px solid; }
        .verdict.passed { background: #dcfce7; border-color: #86efac; }
        .verdict.missed { background: #fee2e2; border-color: #fca5a5; }
        .verdict p { margin: 0; font-size: 17px; }
        .verdict strong { font-size: 22px; margin-right: 8px; }
        .verdict.passed strong { color: #15803d; }
        .verdict.missed strong { color: #b91c1c; }
        .verdict ol { margin: 8px 0 0; padding-left: 24px; }
        figure.chart { margin: 16px 0; }
        figure.chart svg { display: block; max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
        figcaption { font-weight: 600; }
        .no-data { color: #6b7280; font-style: italic; margin: 4px 0; }
        """;

    public static string Render(Report report, Timeline? timeline)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(report.Title)).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(Encode(report.Title)).Append("</h1>\n");
        AppendVerdict(html, report.Verdict);
        AppendFacts(html, report.Facts);
        if (timeline is not null || report.Verdict?.Comparison is not null)
        {
            html.Append("<h2>Charts</h2>\n");
        }

        if (timeline is not null)
        {
            if (timeline.Streams.Count == 0)
            {
                html.Append("<p class=\"no-data\">No streams were recorded: no data for charts.</p>\n");
            }
            else
            {
                foreach (var chart in TimelineCharts.Render(timeline, ChartMarks.Of(report.Verdict)))
                {
                    html.Append(chart);
                }
            }
        }

        if (report.Verdict?.Comparison is { } comparison)
        {
            html.Append(ChangeChart.Render(comparison));
        }

        foreach (var (title, table) in report.Sections)
        {
            html.Append("<h2>").Append(Encode(title)).Append("</h2>\n");
            AppendTable(html, table);
        }

        return html.Append("</main>\n</body>\n</html>\n").ToString();
    }

    /// <summary>PASSED or MISSED in a coloured banner, what was judged, and each reason it missed.</summary>
    private static void AppendVerdict(StringBuilder html, RunVerdict? verdict)
    {
        if (verdict is null)
        {
            return;
        }

        var kind = verdict.Passed ? "passed" : "missed";
        html.Append("<section class=\"verdict ").Append(kind).Append("\">\n<p><strong>").Append(verdict.Word).Append("</strong>")
            .Append(Encode(verdict.Summary)).Append("</p>\n");
        var reasons = verdict.Reasons();
        if (reasons.Count > 0)
        {
            html.Append("<ol>\n");
            foreach (var reason in reasons)
            {
                html.Append("<li>").Append(Encode(reason)).Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</section>\n");
    }

    private static void AppendFacts(StringBuilder html, IReadOnlyList<(string Label, string Value, bool Code)> facts)
    {
        if (facts.Count == 0)
        {
            return;
        }

        html.Append("<dl>\n");
        foreach (var (label, value, code) in facts)
        {
            html.Append("<dt>").Append(Encode(label)).Append("</dt><dd>");
            html.Append(code ? "<code>" + Encode(value) + "</code>" : Encode(value));
            html.Append("</dd>\n");
        }

        html.Append("</dl>\n");
    }

    private static void AppendTable(StringBuilder html, TextTable table)
    {
        var figures = table.FigureColumns();
        html.Append("<table>\n<thead><tr>");
        for (var i = 0; i < table.Headers.Count; i++)
        {
            html.Append(figures[i] ? "<th scope=\"col\">" : "<th scope=\"col\" class=\"text\">").Append(Encode(table.Headers[i])).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            // A threshold row: its result cell says "held" or "MISSED".
            var result = row.Select(ResultClass).FirstOrDefault(c => c is not null);
            html.Append(result is null ? "<tr>" : $"<tr class=\"{result}\">");
            for (var i = 0; i < row.Count; i++)
            {
                var classes = string.Join(' ', new[] { figures[i] ? "figure" : i > 0 ? "text" : null, ResultClass(row[i]), ChangeClass(row[i]) }.OfType<string>());
                html.Append(classes.Length == 0 ? "<td>" : $"<td class=\"{classes}\">").Append(Encode(row[i])).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>A threshold's or a regression gate's result: the row is coloured by it.</summary>
    private static string? ResultClass(string cell) => cell switch
    {
        RunVerdict.MissedWord or ChangeWords.Regression => "missed",
        "held" => "held",
        _ => null,
    };

    /// <summary>A change against the baseline: the cell is coloured by it.</summary>
    private static string? ChangeClass(string cell) => cell switch
    {
        ChangeWords.Better => "better",
        ChangeWords.Worse => "worse",
        _ => null,
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
