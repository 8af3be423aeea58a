using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Streaming;

public sealed class SseEventWriterTests
{
    [Fact]
    public async Task WriteAudio_FormatsTheContractEventExactly()
    {
        var wav = TestAudio.Pcm(44 + 9600);

        var text = await WriteAsync(w => w.WriteAudio("0123456789abcdef0123456789abcdef:"u8, seq: 3, offsetSamples: 3 * 4800, samples: 4800, wav));

        Assert.Equal(
            "event: audio\nid: 0123456789abcdef0123456789abcdef:3\ndata: {\"seq\":3,\"offset_ms\":600,\"duration_ms\":200,\"samples\":4800,\"audio\":\""
            + Convert.ToBase64String(wav) + "\"}\n\n",
            text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(44 + 2)]
    [InlineData(44 + 96_000)] // 2 s: spans many pipe segments
    public async Task WriteAudio_AnySize_Base64RoundTrips(int bytes)
    {
        var wav = TestAudio.Pcm(bytes);

        var text = await WriteAsync(w => w.WriteAudio("s:"u8, 0, 0, bytes / 2, wav));

        var item = Assert.Single(SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(text))).Enumerate());
        Assert.Equal("audio", item.EventType);
        Assert.Equal("s:0", item.EventId);
        using var json = System.Text.Json.JsonDocument.Parse(item.Data);
        Assert.Equal(wav, json.RootElement.GetProperty("audio").GetBytesFromBase64());
    }

    [Fact]
    public async Task WriteAudio_PartialLastChunk_ReportsFractionalMilliseconds()
    {
        var text = await WriteAsync(w => w.WriteAudio("s:"u8, 1, 4800, 12, new byte[44 + 24]));

        Assert.Contains("\"offset_ms\":200,\"duration_ms\":0.5,\"samples\":12,", text);
    }

    [Fact]
    public async Task WriteJsonEventAndComment_AreOneLineEachAndEndWithABlankLine()
    {
        var text = await WriteAsync(w =>
        {
            w.WriteComment("keepalive"u8);
            w.WriteJsonEvent("error"u8, "line1\nline2", static (json, message) => json.WriteString("message", message));
        });

        Assert.Equal(": keepalive\n\nevent: error\ndata: {\"message\":\"line1\\nline2\"}\n\n", text);
    }

    private static async Task<string> WriteAsync(Action<SseEventWriter> write)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0)); // never blocks: the test reads only after writing
        using (var writer = new SseEventWriter(pipe.Writer))
        {
            write(writer);
            await writer.FlushAsync(CancellationToken.None);
        }

        await pipe.Writer.CompleteAsync();
        using var output = new MemoryStream();
        await pipe.Reader.CopyToAsync(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
