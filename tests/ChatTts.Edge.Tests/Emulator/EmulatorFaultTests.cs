using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Emulator;

/// <summary>The hostile-backend switches: a body that trickles, one enormous message, a Retry-After date, a WAV that
/// announces more than it should.</summary>
public sealed class EmulatorFaultTests
{
    [Fact]
    public async Task TrickleBytesPerSecond_AfterTheHeaders_TheBodyComesAtThatRateUntilCleared()
    {
        var time = new ManualTimeProvider();
        var options = EmulatorKit.Instant("chattts-openai");
        options.TimeProvider = time;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        gpu.Faults.TrickleBytesPerSecond = 10;

        using var response = await client.SendAsync(EmulatorKit.OpenAiSpeech("Hello there."), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var received = new MemoryStream();
        foreach (var second in Enumerable.Range(1, 3))
        {
            await EmulatorKit.AdvanceWhenArmedAsync(time, TimeSpan.FromSeconds(1), timeout.Token);
            var due = new byte[10];
            await body.ReadExactlyAsync(due, timeout.Token);
            received.Write(due);
        }

        var more = body.ReadAsync(new byte[1], timeout.Token).AsTask();
        var nothingMore = await Task.WhenAny(more, Task.Delay(TimeSpan.FromMilliseconds(300), timeout.Token)) != more;
        gpu.Faults.TrickleBytesPerSecond = null;
        await EmulatorKit.AdvanceWhenArmedAsync(time, TimeSpan.FromSeconds(1), timeout.Token); // the pending byte's wait ends
        Assert.Equal(1, await more);
        var rest = new MemoryStream();
        await body.CopyToAsync(rest, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(nothingMore, "more than 10 bytes a second came out");
        Assert.Equal(30, received.Length);
        Assert.Equal(44 + gpu.ProducedPcm(gpu.Requests[0]).Length, received.Length + 1 + rest.Length);
    }

    [Fact]
    public async Task OversizeMessageBytes_WebUi_OneEventWhoseDataIsThatMuchBase64()
    {
        const long size = (8 << 20) + 3;
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("webui"));
        using var client = EmulatorKit.Client(gpu);
        gpu.Faults.OversizeMessageBytes = size;

        using var response = await client.SendAsync(EmulatorKit.Speech(gpu, "Hello."), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var prefix = new byte[6];
        await body.ReadExactlyAsync(prefix);
        long data = 0, lineBreaks = 0, notBase64 = 0;
        var tail = new List<byte>();
        var buffer = new byte[81_920];
        for (int read; (read = await body.ReadAsync(buffer)) > 0;)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                tail.Add(b);
                if (tail.Count > 2)
                {
                    var c = tail[0];
                    tail.RemoveAt(0);
                    data++;
                    lineBreaks += c == '\n' ? 1 : 0;
                    notBase64 += char.IsAsciiLetterOrDigit((char)c) || c is (byte)'+' or (byte)'/' or (byte)'=' ? 0 : 1;
                }
            }
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: ", Encoding.ASCII.GetString(prefix));
        Assert.Equal(size / 4 * 4, data);
        Assert.Equal(0, lineBreaks);
        Assert.Equal(0, notBase64);
        Assert.Equal("\n\n", Encoding.ASCII.GetString([.. tail]));
        Assert.Equal(0, gpu.PeakConcurrentSyntheses);
    }

    [Theory]
    [InlineData("chattts-ui", HttpStatusCode.OK)]
    [InlineData("chattts-openai", HttpStatusCode.InternalServerError)]
    [InlineData("forge", HttpStatusCode.InternalServerError)]
    public async Task OversizeMessageBytes_JsonDialect_OneErrorBodyOfExactlyThatSize(string dialect, HttpStatusCode status)
    {
        const int size = (1 << 20) + 1;
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant(dialect));
        using var client = EmulatorKit.Client(gpu);
        gpu.Faults.OversizeMessageBytes = size;

        using var response = await client.SendAsync(EmulatorKit.Speech(gpu, "Hello."));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal(size, body.Length);
        var root = JsonDocument.Parse(body).RootElement;
        var message = dialect switch
        {
            "chattts-ui" => root.GetProperty("msg").GetString(),
            "chattts-openai" => root.GetProperty("error").GetProperty("message").GetString(),
            _ => root.GetProperty("detail").GetString(),
        };
        Assert.True(message!.Length > size - 64, $"the message is only {message.Length} characters");
        Assert.Equal(0, gpu.PeakConcurrentSyntheses);
    }

    [Fact]
    public async Task RetryAfterDate_Unavailable_SendsRetryAfterAsAnHttpDate()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("webui"));
        using var client = EmulatorKit.Client(gpu);
        gpu.Faults.Unavailable = true;
        gpu.Faults.RetryAfterDate = DateTimeOffset.MaxValue;

        using var response = await client.SendAsync(EmulatorKit.Speech(gpu, "Hello."));
        gpu.Faults.RetryAfterDate = null;
        using var inSeconds = await client.SendAsync(EmulatorKit.Speech(gpu, "Hello."));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Fri, 31 Dec 9999 23:59:59 GMT", string.Join(",", response.Headers.GetValues("Retry-After")));
        Assert.Equal("1", string.Join(",", inSeconds.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task AnnouncedDataBytes_ChatTtsUiWholeWav_HeaderAndContentLengthSayItAndTheBodyIsThatLong()
    {
        const int announced = 5_000_000;
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-ui"));
        using var client = EmulatorKit.Client(gpu);
        gpu.Faults.AnnouncedDataBytes = announced;

        using var response = await client.SendAsync(EmulatorKit.Speech(gpu, "Hello."));
        var wav = await response.Content.ReadAsByteArrayAsync();

        var pcm = gpu.ProducedPcm(gpu.Requests[0]);
        Assert.Equal(44 + announced, response.Content.Headers.ContentLength);
        Assert.Equal(44 + announced, wav.Length);
        Assert.Equal((uint)(36 + announced), BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal((uint)announced, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Equal(pcm, wav[44..(44 + pcm.Length)]);
        Assert.True(wav.AsSpan(44 + pcm.Length).IndexOfAnyExcept((byte)0) < 0, "the padding is not silence");
    }

    [Fact]
    public async Task Clear_AfterEveryNewSwitch_TurnsThemOff()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("webui"));
        gpu.Faults.TrickleBytesPerSecond = 1;
        gpu.Faults.OversizeMessageBytes = 1;
        gpu.Faults.AnnouncedDataBytes = 1;
        gpu.Faults.RetryAfterDate = DateTimeOffset.MaxValue;

        gpu.Faults.Clear();

        Assert.Null(gpu.Faults.TrickleBytesPerSecond);
        Assert.Null(gpu.Faults.OversizeMessageBytes);
        Assert.Null(gpu.Faults.AnnouncedDataBytes);
        Assert.Null(gpu.Faults.RetryAfterDate);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.Faults.TrickleBytesPerSecond = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.Faults.AnnouncedDataBytes = (long)uint.MaxValue);
    }
}
