using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ChatTts.Edge.Observability;

/// <summary>
/// Collects the <c>ChatTts.Edge</c> meter with a <see cref="MeterListener"/> and writes it in the Prometheus text
/// exposition format (0.0.4) for <c>GET /metrics</c>. The registry serves no Prometheus exporter package, so this
/// small writer stands in: names follow the OpenTelemetry-to-Prometheus rules (dots to underscores, <c>_seconds</c>
/// for a unit of s, <c>_total</c> for counters), histograms get fixed latency buckets.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _scrape = new();

    public PrometheusCollector(EdgeMetrics metrics)
    {
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _families.TryAdd(instrument, new Family(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The current values of every instrument, as Prometheus text.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var family in _families.Values.Where(f => f.Type == "gauge" && f.Observable))
            {
                family.Series.Clear(); // observed afresh: a removed backend disappears
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_families.TryGetValue(instrument, out var family))
        {
            family.Record(Labels(tags), value);
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{key.Replace('.', '_')}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    /// <summary>One instrument: its Prometheus name and type, and its series by label set.</summary>
    private sealed class Family
    {
        public Family(Instrument instrument)
        {
            var type = instrument.GetType().GetGenericTypeDefinition();
            Observable = type == typeof(ObservableGauge<>);
            Type = type == typeof(Counter<>) ? "counter" : type == typeof(Histogram<>) ? "histogram" : "gauge";
            var name = instrument.Name.Replace('.', '_');
            name += instrument.Unit == "s" ? "_seconds" : "";
            Name = Type == "counter" ? name + "_total" : name;
            Help = instrument.Description ?? instrument.Name;
        }

        public string Name { get; }

        public string Type { get; }

        public string Help { get; }

        public bool Observable { get; }

        public ConcurrentDictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);

        public void Record(string labels, double value)
        {
            var series = Series.GetOrAdd(labels, static _ => new Series());
            lock (series)
            {
                switch (Type)
                {
                    case "histogram":
                        series.Count++;
                        series.Sum += value;
                        for (var i = 0; i < Buckets.Length; i++)
                        {
                            series.BucketCounts[i] += value <= Buckets[i] ? 1 : 0;
                        }

                        break;
                    case "gauge" when Observable:
                        series.Value = value;
                        break;
                    default:
                        series.Value += value;
                        break;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {Name} {Help}\n# TYPE {Name} {Type}\n");
            foreach (var (labels, series) in Series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (Type != "histogram")
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{Name}{Braces(labels)} {Number(series.Value)}\n");
                        continue;
                    }

                    for (var i = 0; i < Buckets.Length; i++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{Braces(Join(labels, $"le=\"{Number(Buckets[i])}\""))} {series.BucketCounts[i]}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{Name}_bucket{Braces(Join(labels, "le=\"+Inf\""))} {series.Count}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{Name}_sum{Braces(labels)} {Number(series.Sum)}\n");
                    text.Append(CultureInfo.InvariantCulture, $"{Name}_count{Braces(labels)} {series.Count}\n");
                }
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string Join(string labels, string label) => labels.Length == 0 ? label : labels + "," + label;

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    private sealed class Series
    {
        public double Value { get; set; }

        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] BucketCounts { get; } = new long[Buckets.Length];
    }
}
