using System.Globalization;
using System.Net;
using System.Text;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>A point of a chart line; a null <see cref="Y"/> breaks the line (a bucket without data).</summary>
internal readonly record struct ChartPoint(double X, double? Y);

/// <summary>A bar of a chart from <see cref="From"/> to <see cref="To"/> on the x axis; <see cref="Tooltip"/> shows on hover.</summary>
internal readonly record struct ChartBar(double From, double To, double Value, string Tooltip)
{
    /// <summary>Where the bar starts on the value axis: a stacked bar starts on top of the one below it.</summary>
    public double Base { get; init; }
}

/// <summary>How a reference line is drawn: a threshold (dashed) or a baseline value (dotted).</summary>
internal enum MarkStyle
{
    Threshold,
    Baseline,
}

/// <summary>One chart drawn as inline SVG: lines and (stacked) bars over a linear x axis, a value axis on the left from
/// zero, "nice" ticks (1, 2, 5 × 10ⁿ), a legend, an optional shaded span and
/// labelled reference lines (thresholds, baseline values). A reference line far beyond the data (more than
/// <see cref="MarkReach"/> times its range) is not allowed to squash the chart: a note at the plot's edge names it
/// instead. Without data it renders a short note instead. Every number is written with the invariant culture and
/// never as NaN or infinity.</summary>
internal sealed class SvgChart(string title, string xLabel, string yLabel)
{
    private const double Width = 960;
    private const double Height = 340;
    private const double PlotLeft = 72;
    private const double PlotRight = Width - 72;
    private const double PlotTop = 64;
    private const double PlotBottom = Height - 52;
    private const string Font = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";


    private readonly List<(string Name, string Colour, IReadOnlyList<ChartPoint> Points, bool Dashed)> _lines = [];
    private readonly List<(string Name, string Colour, IReadOnlyList<ChartBar> Bars)> _bars = [];
    private readonly List<(bool Vertical, double Value, string Label, string Colour, MarkStyle Style)> _marks = [];
    private (double From, double To, string Label)? _span;
    private (double Min, double Max)? _xRange;


    /// <summary>How far beyond the data a reference line may lie and still be drawn: this many times the data's range
    /// (on a histogram, where the bars' shape matters more than the headroom, less).</summary>
    public double MarkReach { get; init; } = 3;

    /// <summary>What the chart says instead when there is nothing to draw.</summary>
    public string EmptyText { get; init; } = "No data.";

    /// <summary>The smallest step between ticks of the left axis (1 for counts).</summary>
    public double YMinStep { get; init; }

    public SvgChart XRange(double min, double max)
    {
        _xRange = (min, max);
        return this;
    }

    /// <summary>A line on the left axis; lines are drawn in the order they are added, so a dashed line added after
    /// another stays visible where the two coincide.</summary>
    public SvgChart Line(string name, string colour, IReadOnlyList<ChartPoint> points, bool dashed = false)
    {
        _lines.Add((name, colour, points, dashed));
        return this;
    }

    public SvgChart Bars(string name, string colour, IReadOnlyList<ChartBar> bars)
    {
        _bars.Add((name, colour, bars));
        return this;
    }

    /// <summary>A labelled horizontal line at <paramref name="value"/> on the left axis (e.g. a threshold).</summary>
    public SvgChart HorizontalLine(double value, string label, string colour, MarkStyle style = MarkStyle.Threshold)
    {
        _marks.Add((false, value, label, colour, style));
        return this;
    }

    /// <summary>A labelled vertical line at <paramref name="value"/> on the x axis (e.g. a threshold on a histogram's values).</summary>
    public SvgChart VerticalLine(double value, string label, string colour, MarkStyle style = MarkStyle.Threshold)
    {
        _marks.Add((true, value, label, colour, style));
        return this;
    }

    /// <summary>Shades the x span from <paramref name="from"/> to <paramref name="to"/> grey and labels it.</summary>
    public SvgChart Shade(double from, double to, string label)
    {
        _span = (from, to, label);
        return this;
    }

    /// <summary>A <c>figure</c> with the chart as <c>svg</c>, or with a "no data" note when there is nothing to draw.</summary>
    public string ToHtml()
    {
        var values = Values().ToList();
        if (values.Count == 0)
        {
            return Empty(title, EmptyText);
        }

        var x = XAxis();
        var (low, high) = (Math.Min(0, values.Min()), Math.Max(0, values.Max()));
        var shown = _marks.Where(m => double.IsFinite(m.Value)
            && (m.Vertical ? m.Value >= x.Min && m.Value <= x.Max : m.Value <= high + (MarkReach * Math.Max(high - low, 1e-9)))).ToList();
        var y = Axis.ForValues([.. values, .. shown.Where(m => !m.Vertical).Select(m => m.Value)], YMinStep);
        var svg = Start(Width, Height, title, PlotLeft);
        AppendSpan(svg, x);
        AppendGrid(svg, x, y);
        AppendBars(svg, x, y);
        // Reference lines and their labels under the data lines: a label may be crossed by a line, but never hides one.
        AppendMarkLines(svg, x, y, shown);
        AppendMarkLabels(svg, x, y, shown);
        AppendLines(svg, x, y);
        AppendAxes(svg);
        AppendLegend(svg);
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Num(PlotLeft - 8)}\" y=\"{Num(PlotTop - 12)}\" fill=\"#374151\">{Encode(yLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Num((PlotLeft + PlotRight) / 2)}\" y=\"{Num(Height - 10)}\" text-anchor=\"middle\" fill=\"#374151\">{Encode(xLabel)}</text>\n");
        return svg.Append(End).ToString();
    }

    /// <summary>Opens a chart's <c>figure</c>: the <c>svg</c> element, its title for screen readers, a white background
    /// and the title, left-aligned at <paramref name="titleX"/>. <see cref="End"/> closes it.</summary>
    public static StringBuilder Start(double width, double height, string title, double titleX) => new StringBuilder()
        .Append(CultureInfo.InvariantCulture,
            $"<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Num(width)} {Num(height)}\" width=\"{Num(width)}\" height=\"{Num(height)}\" role=\"img\" font-family=\"{Font}\" font-size=\"12\">\n")
        .Append(CultureInfo.InvariantCulture, $"<title>{Encode(title)}</title>\n")
        .Append(CultureInfo.InvariantCulture, $"<rect x=\"0\" y=\"0\" width=\"{Num(width)}\" height=\"{Num(height)}\" fill=\"#ffffff\"/>\n")
        .Append(CultureInfo.InvariantCulture, $"<text x=\"{Num(titleX)}\" y=\"24\" font-size=\"16\" font-weight=\"600\" fill=\"#111827\">{Encode(title)}</text>\n");

    /// <summary>Closes what <see cref="Start"/> opened.</summary>
    public const string End = "</svg></figure>\n";

    /// <summary>A chart's <c>figure</c> without a chart: its title and a note saying why.</summary>
    public static string Empty(string title, string note) =>
        $"<figure class=\"chart\"><figcaption>{Encode(title)}</figcaption><p class=\"no-data\">{Encode(note)}</p></figure>\n";

    private IEnumerable<double> Values() =>
        _lines.SelectMany(l => l.Points).Where(p => p.Y is { } v && double.IsFinite(v) && double.IsFinite(p.X)).Select(p => p.Y!.Value)
            .Concat(_bars.SelectMany(b => b.Bars).Where(b => double.IsFinite(b.Value) && double.IsFinite(b.Base) && double.IsFinite(b.From) && double.IsFinite(b.To))
                .Select(b => b.Base + b.Value));

    private Axis XAxis()
    {
        if (_xRange is { } range && double.IsFinite(range.Min) && double.IsFinite(range.Max) && range.Max > range.Min)
        {
            // A vertical reference line near the range widens it (a threshold just right of a histogram's last bar).
            var reach = MarkReach * (range.Max - range.Min);
            var near = _marks.Where(m => m.Vertical && double.IsFinite(m.Value) && m.Value >= range.Min - reach && m.Value <= range.Max + reach)
                .Select(m => m.Value).ToList();
            return Axis.ForRange(near.Append(range.Min).Min(), near.Append(range.Max).Max());
        }

        var xs = _lines.SelectMany(l => l.Points).Where(p => p.Y is not null).Select(p => p.X)
            .Concat(_bars.SelectMany(b => b.Bars).SelectMany(b => new[] { b.From, b.To }))
            .Where(double.IsFinite).ToList();
        return xs.Count == 0 ? Axis.ForRange(0, 1) : Axis.ForRange(xs.Min(), xs.Max());
    }

    private void AppendSpan(StringBuilder svg, Axis x)
    {
        if (_span is not { } span || !double.IsFinite(span.From) || !double.IsFinite(span.To))
        {
            return;
        }

        var from = Math.Clamp(x.Scale(span.From, PlotLeft, PlotRight), PlotLeft, PlotRight);
        var to = Math.Clamp(x.Scale(span.To, PlotLeft, PlotRight), PlotLeft, PlotRight);
        if (to - from < 0.5)
        {
            return;
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<rect x=\"{Num(from)}\" y=\"{Num(PlotTop)}\" width=\"{Num(to - from)}\" height=\"{Num(PlotBottom - PlotTop)}\" fill=\"#e5e7eb\"/>\n");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Num((from + to) / 2)}\" y=\"{Num(PlotTop + 16)}\" text-anchor=\"middle\" fill=\"#6b7280\">{Encode(span.Label)}</text>\n");
    }

    private static void AppendGrid(StringBuilder svg, Axis x, Axis y)
    {
        foreach (var tick in y.Ticks())
        {
            var py = y.Scale(tick, PlotBottom, PlotTop);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Num(PlotLeft)}\" y1=\"{Num(py)}\" x2=\"{Num(PlotRight)}\" y2=\"{Num(py)}\" stroke=\"#d1d5db\" stroke-width=\"1\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(PlotLeft - 8)}\" y=\"{Num(py + 4)}\" text-anchor=\"end\" fill=\"#374151\">{y.Label(tick)}</text>\n");
        }

        foreach (var tick in x.Ticks())
        {
            var px = x.Scale(tick, PlotLeft, PlotRight);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Num(px)}\" y1=\"{Num(PlotBottom)}\" x2=\"{Num(px)}\" y2=\"{Num(PlotBottom + 5)}\" stroke=\"#374151\" stroke-width=\"1\"/>\n");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Num(px)}\" y=\"{Num(PlotBottom + 19)}\" text-anchor=\"middle\" fill=\"#374151\">{x.Label(tick)}</text>\n");
        }
    }

    private void AppendBars(StringBuilder svg, Axis x, Axis y)
    {
        foreach (var (_, colour, bars) in _bars)
        {
            foreach (var bar in bars.Where(b => double.IsFinite(b.From) && double.IsFinite(b.To) && double.IsFinite(b.Value) && double.IsFinite(b.Base) && b.Value != 0))
            {
                var left = Math.Clamp(x.Scale(Math.Min(bar.From, bar.To), PlotLeft, PlotRight), PlotLeft, PlotRight);
                var right = Math.Clamp(x.Scale(Math.Max(bar.From, bar.To), PlotLeft, PlotRight), PlotLeft, PlotRight);
                var zero = Math.Clamp(y.Scale(bar.Base, PlotBottom, PlotTop), PlotTop, PlotBottom);
                var top = Math.Clamp(y.Scale(bar.Base + bar.Value, PlotBottom, PlotTop), PlotTop, PlotBottom);
                // A one-pixel gap between neighbours, but never narrower than one pixel.
                var width = Math.Max(1, right - left - 1);
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{Num(left)}\" y=\"{Num(Math.Min(top, zero))}\" width=\"{Num(width)}\" height=\"{Num(Math.Abs(zero - top))}\" fill=\"{colour}\"><title>{Encode(bar.Tooltip)}</title></rect>\n");
            }
        }
    }

    private void AppendLines(StringBuilder svg, Axis x, Axis y)
    {
        foreach (var (name, colour, points, dashed) in _lines)
        {
            var segment = new List<(double X, double Y)>();
            foreach (var point in points.Append(new ChartPoint(double.NaN, null)))
            {
                if (point.Y is { } value && double.IsFinite(value) && double.IsFinite(point.X))
                {
                    segment.Add((Math.Clamp(x.Scale(point.X, PlotLeft, PlotRight), PlotLeft, PlotRight),
                        Math.Clamp(y.Scale(value, PlotBottom, PlotTop), PlotTop, PlotBottom)));
                    continue;
                }

                AppendSegment(svg, segment, name, colour, dashed);
                segment.Clear();
            }
        }
    }

    private static void AppendSegment(StringBuilder svg, List<(double X, double Y)> segment, string name, string colour, bool dashed)
    {
        if (segment.Count == 1)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<circle cx=\"{Num(segment[0].X)}\" cy=\"{Num(segment[0].Y)}\" r=\"3\" fill=\"{colour}\"><title>{Encode(name)}</title></circle>\n");
        }
        else if (segment.Count > 1)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\"{Dash(dashed)} points=\"{string.Join(" ", segment.Select(p => Num(p.X) + "," + Num(p.Y)))}\"><title>{Encode(name)}</title></polyline>\n");
        }
    }

    /// <summary>The reference lines within the axes.</summary>
    private static void AppendMarkLines(StringBuilder svg, Axis x, Axis y, List<(bool Vertical, double Value, string Label, string Colour, MarkStyle Style)> shown)
    {
        foreach (var (vertical, value, _, colour, style) in shown)
        {
            var (x1, y1, x2, y2) = vertical
                ? (x.Scale(value, PlotLeft, PlotRight), PlotTop, x.Scale(value, PlotLeft, PlotRight), PlotBottom)
                : (PlotLeft, y.Scale(value, PlotBottom, PlotTop), PlotRight, y.Scale(value, PlotBottom, PlotTop));
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Num(x1)}\" y1=\"{Num(y1)}\" x2=\"{Num(x2)}\" y2=\"{Num(y2)}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{(style == MarkStyle.Threshold ? "8 4" : "2 3")}\"/>\n");
        }
    }

    /// <summary>The reference lines' labels: each where its line ends (thresholds on the right,
    /// baselines on the left, vertical ones at the top), and a note at the plot's top right for each line beyond the axes.</summary>
    private void AppendMarkLabels(StringBuilder svg, Axis x, Axis y, List<(bool Vertical, double Value, string Label, string Colour, MarkStyle Style)> shown)
    {
        // Labels of lines close together go one under the other rather than over each other.
        var taken = new List<(bool Left, double Y)>();
        foreach (var (vertical, value, label, colour, style) in shown.OrderBy(m => m.Vertical ? 0 : -m.Value))
        {
            if (vertical)
            {
                var px = x.Scale(value, PlotLeft, PlotRight);
                var right = px > (PlotLeft + PlotRight) / 2;
                AppendLabel(svg, right ? px - 6 : px + 6, PlotTop + 14, right ? "end" : "start", label, colour);
                continue;
            }

            // Baselines on the left, just past the shaded span (whose label sits at its top); thresholds on the right.
            var py = y.Scale(value, PlotBottom, PlotTop);
            var left = style == MarkStyle.Baseline;
            var start = _span is { } span && double.IsFinite(span.To) ? Math.Clamp(x.Scale(span.To, PlotLeft, PlotRight), PlotLeft, PlotRight) : PlotLeft;
            var wanted = py - PlotTop < 16 ? py + 15 : py - 6;
            var at = Enumerable.Range(0, 12).Select(i => wanted + ((i % 2 == 0 ? 1 : -1) * 14 * ((i + 1) / 2)))
                .Where(y => y >= PlotTop + 12 && y <= PlotBottom - 4)
                .FirstOrDefault(y => !taken.Any(t => t.Left == left && Math.Abs(t.Y - y) < 14), wanted);

            taken.Add((left, at));
            AppendLabel(svg, left ? start + 6 : PlotRight - 6, at, left ? "start" : "end", label, colour);
        }

        var beyond = _marks.Where(m => double.IsFinite(m.Value) && !shown.Contains(m)).ToList();
        for (var i = 0; i < beyond.Count; i++)
        {
            var (vertical, value, label, colour, _) = beyond[i];
            var arrow = vertical ? (value < x.Min ? "←" : "→") : (value < y.Min ? "↓" : "↑");
            AppendLabel(svg, PlotRight - 6, PlotTop + 14 + (16 * i), "end", $"{arrow} {label} (beyond this scale)", colour);
        }
    }

    /// <summary>A label on a white halo, so it stays legible over the grid, reference lines and bars.</summary>
    private static void AppendLabel(StringBuilder svg, double x, double y, string anchor, string label, string colour) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{Num(x)}\" y=\"{Num(y)}\" text-anchor=\"{anchor}\" fill=\"{colour}\" font-weight=\"600\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\">{Encode(label)}</text>\n");

    private static void AppendAxes(StringBuilder svg)
    {
        svg.Append(CultureInfo.InvariantCulture,
            $"<path d=\"M{Num(PlotLeft)} {Num(PlotTop)}V{Num(PlotBottom)}H{Num(PlotRight)}\" fill=\"none\" stroke=\"#374151\" stroke-width=\"1\"/>\n");
    }

    /// <summary>A legend right-aligned on the title's line, when there is more than one series to tell apart.</summary>
    private void AppendLegend(StringBuilder svg)
    {
        var entries = _bars.Select(b => (b.Name, b.Colour, Bar: true, Dashed: false)).Concat(_lines.Select(l => (l.Name, l.Colour, Bar: false, l.Dashed))).ToList();
        if (entries.Count < 2)
        {
            return;
        }

        // No font metrics without a browser: roughly 7 px a character at 12 px is wide enough for the legend to fit.
        var right = PlotRight;
        foreach (var (name, colour, bar, dashed) in Enumerable.Reverse(entries))
        {
            var left = right - (22 + (7 * name.Length));
            if (bar)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Num(left)}\" y=\"15\" width=\"14\" height=\"10\" fill=\"{colour}\"/>\n");
            }
            else
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<line x1=\"{Num(left)}\" y1=\"20\" x2=\"{Num(left + 14)}\" y2=\"20\" stroke=\"{colour}\" stroke-width=\"3\"{Dash(dashed)}/>\n");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Num(left + 18)}\" y=\"24\" fill=\"#111827\">{Encode(name)}</text>\n");
            right = left - 14;
        }
    }

    /// <summary>Text as it goes into SVG or HTML.</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Dash(bool dashed) => dashed ? " stroke-dasharray=\"6 4\"" : string.Empty;

    /// <summary>A coordinate with at most two decimals, invariant, never NaN, infinity or "-0".</summary>
    public static string Num(double value)
    {
        var rounded = double.IsFinite(value) ? Math.Round(value, 2) : 0;
        return (rounded == 0 ? 0 : rounded).ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>A linear axis from <see cref="Min"/> to <see cref="Max"/> with ticks every <see cref="Step"/>.</summary>
    private sealed record Axis(double Min, double Max, double Step)
    {
        /// <summary>A value axis from zero (or the lowest value, when negative) to the highest value rounded up to a tick.</summary>
        public static Axis ForValues(List<double> values, double minStep)
        {
            var low = Math.Min(0, values.Count == 0 ? 0 : values.Min());
            var high = Math.Max(low, values.Count == 0 ? 0 : values.Max());
            var step = NiceStep(high - low, 5, minStep);
            var min = Math.Floor(low / step) * step;
            var max = Math.Ceiling(high / step) * step;
            return new Axis(min, max > min ? max : min + step, step);
        }

        /// <summary>An x axis over exactly this range, ticks where they fall inside it.</summary>
        public static Axis ForRange(double min, double max)
        {
            if (!(max > min))
            {
                (min, max) = (min - 0.5, min + 0.5);
            }

            return new Axis(min, max, NiceStep(max - min, 10, 0));
        }

        /// <summary>The smallest 1, 2 or 5 × 10ⁿ that splits <paramref name="range"/> into at most about
        /// <paramref name="ticks"/> steps and is at least <paramref name="minStep"/>.</summary>
        private static double NiceStep(double range, int ticks, double minStep)
        {
            var raw = Math.Max(double.IsFinite(range) && range > 0 ? range / ticks : 0, double.IsFinite(minStep) ? minStep : 0);
            if (raw <= 0)
            {
                return 1;
            }

            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            var fraction = raw / magnitude;
            var nice = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
            return nice;
        }

        public IEnumerable<double> Ticks()
        {
            var first = (long)Math.Ceiling((Min / Step) - 1e-9);
            var last = (long)Math.Floor((Max / Step) + 1e-9);
            for (var k = first; k <= last && k - first <= 100; k++)
            {
                yield return k * Step;
            }
        }

        /// <summary>Maps <paramref name="value"/> from this axis onto the pixels <paramref name="from"/>–<paramref name="to"/>.</summary>
        public double Scale(double value, double from, double to) => from + ((value - Min) / (Max - Min) * (to - from));

        /// <summary>A tick label with as many decimals as the step needs, thousands separated.</summary>
        public string Label(double value)
        {
            var decimals = Step >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(Step) - 1e-9);
            var rounded = Math.Round(value, decimals);
            return (rounded == 0 ? 0 : rounded).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
    }
}
