using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Api;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Api.OpenApi;

/// <summary>The document's <c>/v1/tts/stream</c>: every field with the ranges the edge enforces, and the events a real stream sends.</summary>
public sealed class OpenApiSpeechStreamTests
{
    private const string Stream = "/v1/tts/stream";

    private static readonly HashSet<string> FieldConstants = [.. typeof(SpeechRequestFields)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Fact]
    public async Task StreamOperations_NameEveryFieldOfTheApi_InTheQueryAndTheBody()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        var all = document.Operation(Stream, "get").GetProperty("parameters").EnumerateArray().ToList();
        var parameters = all.Where(p => p.GetProperty("in").GetString() == "query").ToList();
        Assert.Equal(["Last-Event-ID"], all.Except(parameters).Select(p => p.GetProperty("name").GetString())); // the one header, beside the query
        Assert.Equal(["Last-Event-ID"], document.Operation(Stream, "post").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var query = parameters.Select(p => p.GetProperty("name").GetString()!).ToHashSet();
        Assert.Equal(FieldConstants.Order(), query.Order());
        Assert.Equal(SpeechRequestFields.Query.Order(), query.Order());
        Assert.Equal([SpeechRequestFields.Text], parameters.Where(p => p.TryGetProperty("required", out var r) && r.GetBoolean()).Select(p => p.GetProperty("name").GetString()));

        var body = document.Operation(Stream, "post").GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        var schema = document.ContentSchema(body, "application/json");
        var properties = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        // Every field but api_key and last_event_id, which a body does not carry (they go in headers): the schema allows no other property.
        Assert.Equal(FieldConstants.Where(f => f is not (SpeechRequestFields.ApiKey or SpeechRequestFields.LastEventId)).Order(), properties.Order());
        Assert.Equal(SpeechRequestFields.Body.Order(), properties.Order());
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal([SpeechRequestFields.Text], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task FieldRanges_AreTheOnesTheEdgeEnforces_AndTheTextLimitIsTheConfiguredOne()
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:Streaming:MaxTextCharacters"] = "300",
            ["Edge:Streaming:DefaultChunkMs"] = "250",
        });
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);
        var parameters = document.Operation(Stream, "get").GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));

        Assert.Equal(300, parameters[SpeechRequestFields.Text].GetProperty("maxLength").GetInt32());
        Assert.Equal(250, parameters[SpeechRequestFields.ChunkMs].GetProperty("default").GetInt32());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.GetAsync($"{Stream}?text={new string('a', 301)}")).StatusCode);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, (await client.GetAsync($"{Stream}?text={new string('a', 300)}")).StatusCode);

        // Without text every request is a 400; a field's value is in range exactly when the problem does not name the field.
        var checkedFields = 0;
        foreach (var (name, schema) in parameters.Where(p => p.Key != SpeechRequestFields.Text))
        {
            var integer = schema.GetProperty("type").GetString() == "integer";
            var step = integer ? 1 : 0.01;
            if (schema.TryGetProperty("minimum", out var min))
            {
                Assert.False(await RefusesAsync(client, name, min.GetDouble()), $"{name}={min} is documented as allowed");
                Assert.True(await RefusesAsync(client, name, min.GetDouble() - step), $"{name} below {min} is documented as refused");
                checkedFields++;
            }

            if (schema.TryGetProperty("maximum", out var max))
            {
                Assert.False(await RefusesAsync(client, name, max.GetDouble()), $"{name}={max} is documented as allowed");
                Assert.True(await RefusesAsync(client, name, max.GetDouble() + step), $"{name} above {max} is documented as refused");
            }

            if (schema.TryGetProperty("maxLength", out var length))
            {
                Assert.False(await RefusesAsync(client, name, new string('v', length.GetInt32())), $"{name} of {length} characters is documented as allowed");
                Assert.True(await RefusesAsync(client, name, new string('v', length.GetInt32() + 1)), $"{name} over {length} characters is documented as refused");
                checkedFields++;
            }
        }

        Assert.Equal(8, checkedFields); // voice, seed, speed, temperature, top_p, top_k, chunk_ms, last_event_id (split is true or false)
    }

    [Fact]
    public async Task StreamOperations_Answer200WithTheEventSchemas_WhichDescribeTheEventsARealStreamSends()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["Edge:Segmentation:MaxSegmentCharacters"] = "40" });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var document = await EdgeOpenApiDocument.GetAsync(client, timeout.Token);

        var events = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var method in new[] { "get", "post" })
        {
            var ok = document.Operation(Stream, method).GetProperty("responses").GetProperty("200");
            Assert.Equal(["text/event-stream"], ok.GetProperty("content").EnumerateObject().Select(c => c.Name));
            var union = document.ContentSchema(ok, "text/event-stream");
            foreach (var option in union.GetProperty("oneOf").EnumerateArray())
            {
                var schema = document.Resolve(option);
                events[schema.GetProperty("properties").GetProperty("event").GetProperty("const").GetString()!] = schema;
            }
        }

        Assert.Equal(["audio", "done", "error", "meta", "queued", "segment"], events.Keys.Order(StringComparer.Ordinal));

        // One stream holds the only GPU while a second (a POST) waits for it; then both run to the end, and a third breaks off.
        backend.Faults.Hold = true;
        var first = SseCapture.GetAsync(client, $"{Stream}?text=" + Uri.EscapeDataString("The first stream holds the GPU."), timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "gpu0")!.Value.GetProperty("in_flight").GetInt32() == 1, timeout.Token);
        using var post = new HttpRequestMessage(HttpMethod.Post, Stream) { Content = JsonContent.Create(new { text = "The second one waits its turn.", seed = 7, chunk_ms = 100 }) };
        var second = SseCapture.SendAsync(client, post, timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 1, timeout.Token);
        backend.Faults.Hold = false;
        var streams = (await Task.WhenAll(first, second)).ToList();
        streams.Add(await SseCapture.GetAsync(client, $"{Stream}?text=" + Uri.EscapeDataString(
            "A text longer than one segment is split. Each sentence is spoken by its own synthesis."), timeout.Token));
        backend.Faults.DieAfterBytes = 60_000;
        streams.Add(await SseCapture.GetAsync(client, $"{Stream}?chunk_ms=100&split=false&text=" + Uri.EscapeDataString(
            "This sentence is long enough that its audio spans many chunks, so a failure can land in the middle."), timeout.Token));

        var sent = streams.SelectMany(s => s.Events).ToList();
        Assert.Equal(events.Keys.Order(StringComparer.Ordinal), sent.Select(e => e.EventType).Distinct().Order(StringComparer.Ordinal));
        foreach (var item in sent)
        {
            var schema = events[item.EventType];
            var data = JsonDocument.Parse(item.Data).RootElement;
            document.AssertInstance(schema.GetProperty("properties").GetProperty("data"), data, $"'{item.EventType}' data");
            Assert.Equal(schema.GetProperty("required").EnumerateArray().Any(r => r.GetString() == "id"), item.EventId is not null);
            if (item.EventType == "audio")
            {
                Assert.EndsWith(":" + data.GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture), item.EventId, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task ErrorEventCodes_AreEveryCodeAFailureCanBecome()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        var codes = new HashSet<string>(StringComparer.Ordinal) { StreamFailures.ShuttingDown.Code, StreamFailures.ResumeLost.Code, StreamFailures.Describe(new InvalidOperationException()).Code };
        foreach (var kind in Enum.GetValues<BackendFailureKind>())
        {
            foreach (var status in new HttpStatusCode?[] { null, HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable })
            {
                codes.Add(StreamFailures.Describe(new BackendException(kind, "failed") { StatusCode = status }).Code);
            }
        }

        foreach (var refusal in Enum.GetValues<AdmissionRefusal>())
        {
            codes.Add(StreamFailures.Describe(new AdmissionRefusedException(refusal, TimeSpan.FromSeconds(1))).Code);
        }

        var documented = document.Component("ErrorEventData").GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()!);
        Assert.Equal(codes.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    /// <summary>Whether the edge refuses <paramref name="value"/> for <paramref name="field"/> (the 400's <c>errors</c> names it).</summary>
    private static async Task<bool> RefusesAsync(HttpClient client, string field, object value)
    {
        var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        using var response = await client.GetAsync($"{Stream}?{field}={Uri.EscapeDataString(text)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(SpeechRequestFields.Text, out _), "the missing text is reported too");
        return errors.TryGetProperty(field, out _);
    }
}
