using System.Diagnostics;
using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Observability;

/// <summary>
/// A stream followed from the browser through the edge to the GPU: the client's W3C trace continues in the edge's spans
/// (exported over OTLP) and reaches the ChatTTS server in its <c>traceparent</c>.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task OtlpEndpoint_EachStreamIsOneTraceOfTheClients_WithQuotaQueueAndAttemptSpans_AndTheGpuSeesTheTrace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var settings = QuotaSettings.Alice(requestsPerMinute: 1000, burst: 100);
        settings["Edge:Telemetry:OtlpEndpoint"] = collector.Endpoint.AbsoluteUri;
        settings["Edge:Telemetry:OtlpProtocol"] = "HttpProtobuf";
        settings["Edge:Telemetry:ExportInterval"] = "00:00:00.200";
        await using var edge = EdgeApp.Start(gpu, settings);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var traces = new List<(string Text, ActivityTraceId Trace, ActivitySpanId ClientSpan, SseCapture Stream)>();
        foreach (var text in new[] { "The first stream.", "The second stream." })
        {
            var (trace, span) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=" + Uri.EscapeDataString(text));
            request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{span.ToHexString()}-01");
            request.Headers.Authorization = new("Bearer", QuotaSettings.AliceKey);
            var stream = await SseCapture.SendAsync(client, request, timeout.Token);
            Assert.Equal("done", stream.EventTypes.Last());
            traces.Add((text, trace, span, stream));
        }

        var spans = await collector.WaitForSpansAsync(
            all => traces.All(t => all.Any(s => s.TraceId == t.Trace.ToHexString() && s.Name == "tts.stream")), timeout.Token);

        foreach (var (text, trace, clientSpan, stream) in traces)
        {
            var inTrace = spans.Where(s => s.TraceId == trace.ToHexString()).ToList();
            var root = Assert.Single(inTrace, s => s.Name == "tts.stream");
            var server = Assert.Single(inTrace, s => s.SpanId == root.ParentSpanId && s.Kind == ReceivedSpan.ServerKind);
            Assert.Equal(clientSpan.ToHexString(), server.ParentSpanId); // the client's span is the server span's parent

            Assert.Equal(stream.Single("meta").GetProperty("request_id").GetString(), root["edge.request_id"]);
            Assert.Equal("alice", root["edge.key_id"]);
            Assert.Equal("webui", root["edge.dialect"]);
            Assert.Equal("gpu0", root["edge.backend"]);
            Assert.Equal(1L, root["edge.attempts"]);
            Assert.Equal("done", root["edge.outcome"]);
            Assert.True((double)root["edge.ttfa_ms"]! > 0);
            Assert.DoesNotContain(inTrace.SelectMany(s => s.Attributes.Values), v => v.ToString()!.Contains(QuotaSettings.AliceKey, StringComparison.Ordinal));

            var quota = Assert.Single(inTrace, s => s.Name == "quota.check");
            var wait = Assert.Single(inTrace, s => s.Name == "queue.wait");
            var attempt = Assert.Single(inTrace, s => s.Name == "backend.attempt");
            Assert.All([quota, wait, attempt], child => Assert.Equal(root.SpanId, child.ParentSpanId));
            Assert.Equal("Admitted", quota["edge.quota.verdict"]);
            Assert.Equal("gpu0", attempt["edge.backend"]);

            // The call to the GPU is the attempt's child, and the GPU received that call's traceparent.
            var call = Assert.Single(inTrace, s => s.ParentSpanId == attempt.SpanId && s.Kind == ReceivedSpan.ClientKind);
            var received = Assert.Single(gpu.Requests, r => r.Text == text);
            Assert.Equal($"00-{trace.ToHexString()}-{call.SpanId}-01", received.TraceParent);
        }

        // The metrics go the same way.
        while (!collector.MetricNames.Contains("chattts.edge.streams"))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task NoOtlpEndpoint_TheClientsTraceStillReachesTheGpu()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=traced");
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var stream = await SseCapture.SendAsync(client, request);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("done", stream.EventTypes.Last());
        Assert.Contains(trace.ToHexString(), Assert.Single(gpu.Requests).TraceParent, StringComparison.Ordinal);
    }
}
