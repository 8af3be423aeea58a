using System.Net;
using System.Text;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>Renders a <see cref="Report"/> as one self-contained HTML page: no script, no external file, no web font.
/// The facts become a definition list, every section a table (figure columns right-aligned, threshold results
/// coloured), and a <see cref="Timeline"/> with streams adds the <see cref="TimelineCharts"/> as inline SVG.</summary>
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
        th:first-child, td:first-child { text-align: left; }
        th { background: #f3f4f6; font-weight: 600; }
        tr.missed td { background: #fee2e2; }
        tr.held td { background: #dcfce7; }
        td.missed { color: #b91c1c; font-weight: 700; }
        td.held { color: #15803d; font-weight: 600; }
        .passed { color: #15803d; font-weight: 700; }
        .failed { color: #b91c1c; font-weight: 700; }
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
        AppendFacts(html, report.Facts);
        if (timeline is not null)
        {
            html.Append("<h2>Charts</h2>\n");
            if (timeline.Streams.Count == 0)
            {
                html.Append("<p class=\"no-data\">No streams were recorded: no data for charts.</p>\n");
            }
            else
            {
                foreach (var chart in TimelineCharts.Render(timeline))
                {
                    html.Append(chart);
                }
            }
        }

        foreach (var (title, table) in report.Sections)
        {
            html.Append("<h2>").Append(Encode(title)).Append("</h2>\n");
            AppendTable(html, table);
        }

        return html.Append("</main>\n</body>\n</html>\n").ToString();
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
            html.Append(code ? "<code>" + Encode(value) + "</code>" : Verdict(value) is { } verdict
                ? $"<span class=\"{verdict}\">{Encode(value)}</span>"
                : Encode(value));
            html.Append("</dd>\n");
        }

        html.Append("</dl>\n");
    }

    private static void AppendTable(StringBuilder html, TextTable table)
    {
        html.Append("<table>\n<thead><tr>");
        foreach (var header in table.Headers)
        {
            html.Append("<th scope=\"col\">").Append(Encode(header)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            // A threshold row: its result cell says "held" or "MISSED".
            var result = row.Select(ResultClass).FirstOrDefault(c => c is not null);
            html.Append(result is null ? "<tr>" : $"<tr class=\"{result}\">");
            foreach (var cell in row)
            {
                html.Append(ResultClass(cell) is { } cellClass ? $"<td class=\"{cellClass}\">" : "<td>").Append(Encode(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string? ResultClass(string cell) => cell switch
    {
        "MISSED" => "missed",
        "held" => "held",
        _ => null,
    };

    private static string? Verdict(string value) => value switch
    {
        "PASSED" => "passed",
        "MISSED" => "failed",
        _ => null,
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
