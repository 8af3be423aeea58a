using System.Globalization;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// The change of every compared metric against the baseline as inline SVG: one row per metric, a bar from the middle
/// to the left when it got better and to the right when it got worse (by the metric's direction), as a percentage of
/// the baseline value; regressions beyond <c>--max-regression</c> red, with that limit drawn as a line. Bars beyond
/// the scale stop at its edge, their label still says the change.
/// </summary>
internal static class ChangeChart
{
    private const double Width = 960;
    private const double LabelRight = 250;
    private const double PlotLeft = 270;
    private const double PlotRight = Width - 80;
    private const double Top = 72;
    private const double Row = 20;
    /// <summary>A dark label on a white halo, legible over the grid and the limit's line.</summary>
    private const string Halo = "fill=\"#374151\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\"";

    /// <summary>The scales to choose from: the smallest that holds every change; larger changes stop at the last.</summary>
    private static readonly double[] Scales = [5, 10, 20, 50, 100, 200];

    public static string Render(MetricComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        const string Title = "Change against the baseline";
        var rows = comparison.Changes.Where(c => c.Verdict != ChangeVerdict.NotCompared).ToList();
        if (rows.Count == 0)
        {
            return SvgChart.Empty(Title, "No metric could be compared with the baseline.");
        }

        // Percent of the baseline, worse to the right.
        double Worse(MetricChange c) => (c.Verdict == ChangeVerdict.Better ? -1 : 1) * Math.Abs(c.Relative ?? 0) * 100;
        var largest = rows.Select(Worse).Where(double.IsFinite).Select(Math.Abs).Append(comparison.MaxRegressionPercent * 1.2 ?? 0).Max();
        var scale = Scales.FirstOrDefault(s => s >= largest, Scales[^1]);
        var middle = (PlotLeft + PlotRight) / 2;
        double X(double percent) => middle + (Math.Clamp(percent, -scale, scale) / scale * (PlotRight - middle));
        var height = Top + (rows.Count * Row) + 44;
        var bottom = Top + (rows.Count * Row);

        var svg = SvgChart.Start(Width, height, Title, PlotLeft);
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Num(middle - 8)}\" y=\"{Num(Top - 14)}\" text-anchor=\"end\" fill=\"#15803d\" font-weight=\"600\">← better</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Num(middle + 8)}\" y=\"{Num(Top - 14)}\" fill=\"#b45309\" font-weight=\"600\">worse →</text>\n");
        foreach (var tick in new[] { -scale, -scale / 2, 0, scale / 2, scale })
        {
            var x = X(tick);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Num(x)}\" y1=\"{Num(Top)}\" x2=\"{Num(x)}\" y2=\"{Num(bottom)}\" stroke=\"{(tick == 0 ? "#374151" : "#e5e7eb")}\" stroke-width=\"1\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(x)}\" y=\"{Num(bottom + 16)}\" text-anchor=\"middle\" fill=\"#374151\">{Encode(MetricFormat.Percent(Math.Abs(tick)))}</text>\n");
        }

        if (comparison.MaxRegressionPercent is { } max)
        {
            var x = X(max);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Num(x)}\" y1=\"{Num(Top - 6)}\" x2=\"{Num(x)}\" y2=\"{Num(bottom)}\" stroke=\"{ChartMarks.ThresholdColour}\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(PlotRight + 76)}\" y=\"{Num(Top - 14)}\" text-anchor=\"end\" fill=\"{ChartMarks.ThresholdColour}\" font-weight=\"600\">--max-regression {Encode(MetricFormat.Percent(max))}</text>\n");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var change = rows[i];
            var y = Top + (i * Row);
            var percent = Worse(change);
            var colour = change.Regressed(comparison.MaxRegressionPercent) ? "#dc2626"
                : change.Verdict == ChangeVerdict.Better ? "#16a34a"
                : change.Verdict == ChangeVerdict.Worse ? "#f59e0b"
                : "#9ca3af";
            var (from, to) = (Math.Min(X(0), X(percent)), Math.Max(X(0), X(percent)));
            var label = change.Verdict == ChangeVerdict.Same ? "same" : change.Baseline == 0 ? "from 0" : MetricFormat.Relative(change.Relative);
            var tooltip = change.Describe();
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(LabelRight)}\" y=\"{Num(y + 14)}\" text-anchor=\"end\" fill=\"#111827\">{Encode(change.Current.Name)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Num(from)}\" y=\"{Num(y + 4)}\" width=\"{Num(Math.Max(1, to - from))}\" height=\"{Num(Row - 8)}\" fill=\"{colour}\"><title>{Encode(tooltip)}</title></rect>\n");
            // Beside the bar's end; inside it (white) where a long bar to the left leaves no room before the names.
            var right = percent >= 0;
            var inside = !right && from - (7 * label.Length) < PlotLeft - 10;
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(right ? to + 4 : inside ? from + 4 : from - 4)}\" y=\"{Num(y + 14)}\" text-anchor=\"{(right || inside ? "start" : "end")}\" {(inside ? "fill=\"#ffffff\"" : Halo)}>{Encode(label)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Num(middle)}\" y=\"{Num(height - 8)}\" text-anchor=\"middle\" fill=\"#374151\">change in percent of the baseline value (bars beyond {Encode(MetricFormat.Percent(scale))} stop at the edge)</text>\n");
        return svg.Append(SvgChart.End).ToString();
    }

    private static string Encode(string text) => SvgChart.Encode(text);

    private static string Num(double value) => SvgChart.Num(value);
}
