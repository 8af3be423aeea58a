using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// An OpenTelemetry collector's OTLP/HTTP receiver, as much of it as the tests need: it takes protobuf exports on
/// <c>/v1/traces</c> and <c>/v1/metrics</c> at 127.0.0.1 and keeps the spans and the names of the metrics (or, for a load
/// test that only needs somewhere to export to, counts what arrives).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<string, bool> _metricNames = new(StringComparer.Ordinal);
    private readonly bool _keep;
    private int _exports;
    private long _bytes;

    private OtlpReceiver(bool keep)
    {
        _keep = keep;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpContext context) => Accept(await ReadAsync(context.Request), ReadTraces));
        _app.MapPost("/v1/metrics", async (HttpContext context) => Accept(await ReadAsync(context.Request), ReadMetrics));
    }

    /// <summary>The base address to give an exporter (it appends each signal's path).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public IReadOnlyCollection<string> MetricNames => [.. _metricNames.Keys];

    /// <summary>Export requests received, of both signals.</summary>
    public int Exports => Volatile.Read(ref _exports);

    /// <summary>Bytes of protobuf received, uncompressed.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <param name="keep">Keep the spans and metric names; false only counts exports and bytes.</param>
    public static async Task<OtlpReceiver> StartAsync(bool keep = true)
    {
        var receiver = new OtlpReceiver(keep);
        await receiver._app.StartAsync();
        receiver.Endpoint = new Uri(receiver._app.Urls.Single());
        return receiver;
    }

    /// <summary>Waits until the spans received satisfy <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> condition, CancellationToken cancellationToken)
    {
        while (!condition(Spans))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Received {_exports} exports: spans {string.Join(", ", Spans.Select(s => s.Scope + "/" + s.Name).Distinct())}; metrics {_metricNames.Count}.");
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return Spans;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        var source = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
        await source.CopyToAsync(body);
        return body.ToArray();
    }

    private IResult Accept(byte[] body, Action<byte[]> read)
    {
        // The edge's tracing listens in this process too: the exports themselves are not part of any trace.
        if (Activity.Current is { } export)
        {
            export.IsAllDataRequested = false;
            export.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }

        Interlocked.Increment(ref _exports);
        Interlocked.Add(ref _bytes, body.Length);
        if (_keep)
        {
            read(body);
        }

        return Results.Bytes([], "application/x-protobuf"); // an empty Export…ServiceResponse: all accepted
    }

    // ExportTraceServiceRequest { repeated ResourceSpans 1 { ScopeSpans 2 { InstrumentationScope 1 { name 1 }; Span 2 } } }
    private void ReadTraces(byte[] request)
    {
        foreach (var resource in Protobuf.Messages(request, 1))
        {
            foreach (var scope in Protobuf.Messages(resource, 2))
            {
                var scopeName = Protobuf.Messages(scope, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? "";
                foreach (var span in Protobuf.Messages(scope, 2))
                {
                    _spans.Enqueue(ReceivedSpan.Read(scopeName, span));
                }
            }
        }
    }

    // ExportMetricsServiceRequest { repeated ResourceMetrics 1 { ScopeMetrics 2 { Metric 2 { name 1 } } } }
    private void ReadMetrics(byte[] request)
    {
        foreach (var metric in Protobuf.Messages(request, 1).SelectMany(r => Protobuf.Messages(r, 2)).SelectMany(s => Protobuf.Messages(s, 2)))
        {
            _metricNames.TryAdd(Protobuf.String(metric, 1) ?? "", true);
        }
    }
}

/// <summary>One span as exported (ids in lowercase hex, as in a <c>traceparent</c>).</summary>
internal sealed record ReceivedSpan(string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, object> Attributes, int StatusCode)
{
    public const int ServerKind = 2;
    public const int ClientKind = 3;
    public const int ErrorStatus = 2;

    public object? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    // Span { trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, repeated KeyValue attributes 9, Status status 15 { code 3 } }
    public static ReceivedSpan Read(string scope, byte[] span)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var pair in Protobuf.Messages(span, 9))
        {
            if (Protobuf.String(pair, 1) is { } key && Protobuf.Messages(pair, 2).FirstOrDefault() is { } value && Protobuf.AnyValue(value) is { } read)
            {
                attributes[key] = read;
            }
        }

        var status = Protobuf.Messages(span, 15).Select(s => (int)Protobuf.Varint(s, 3)).FirstOrDefault();
        return new ReceivedSpan(scope, Protobuf.Hex(span, 1), Protobuf.Hex(span, 2), Protobuf.Hex(span, 4), Protobuf.String(span, 5) ?? "",
            (int)Protobuf.Varint(span, 6), attributes, status);
    }
}

/// <summary>Just enough of the protobuf wire format to read OTLP exports.</summary>
internal static class Protobuf
{
    /// <summary>The embedded messages (or strings, or bytes) of a field.</summary>
    public static IEnumerable<byte[]> Messages(byte[] message, int field) =>
        Fields(message).Where(f => f.Number == field && f.Bytes is not null).Select(f => f.Bytes!).ToList();

    public static string? String(byte[] message, int field) => Messages(message, field).Select(b => Encoding.UTF8.GetString(b)).LastOrDefault();

    public static string Hex(byte[] message, int field) => Convert.ToHexStringLower(Messages(message, field).LastOrDefault() ?? []);

    public static ulong Varint(byte[] message, int field) => Fields(message).LastOrDefault(f => f.Number == field && f.Bytes is null).Value;

    // AnyValue { string 1, bool 2, int 3, double 4 }
    public static object? AnyValue(byte[] value)
    {
        foreach (var (number, bytes, scalar) in Fields(value))
        {
            return number switch
            {
                1 => Encoding.UTF8.GetString(bytes!),
                2 => scalar != 0,
                3 => (long)scalar,
                4 => BitConverter.UInt64BitsToDouble(scalar),
                _ => null,
            };
        }

        return null;
    }

    private static List<(int Number, byte[]? Bytes, ulong Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[]?, ulong)>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = ReadVarint(message, ref at);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add((number, null, ReadVarint(message, ref at)));
                    break;
                case 1:
                    fields.Add((number, null, BitConverter.ToUInt64(message, at)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    fields.Add((number, message[at..(at + length)], 0));
                    at += length;
                    break;
                case 5:
                    fields.Add((number, null, BitConverter.ToUInt32(message, at)));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {tag & 7} is not used by OTLP.");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
