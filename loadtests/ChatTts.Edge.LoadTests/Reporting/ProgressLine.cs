using System.Globalization;
using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// Live progress while load runs: on a terminal one line rewritten every second; otherwise (CI logs) a plain line
/// every five seconds. Shows elapsed time, streams started, in flight, ended and failed, and audio events per second.
/// </summary>
internal sealed class ProgressLine : IAsyncDisposable
{
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly LoadMeter _meter;
    private readonly TimeSpan _duration;
    private readonly string _label;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _lastLength;
    private long _lastEvents;
    private TimeSpan _lastElapsed;

    private ProgressLine(string label, LoadMeter meter, TimeSpan duration, TextWriter output, bool interactive, TimeProvider time)
    {
        _label = label;
        _meter = meter;
        _duration = duration;
        _output = output;
        _interactive = interactive;
        _loop = LoopAsync(time);
    }

    public static ProgressLine Start(string label, LoadMeter meter, TimeSpan duration, TextWriter output, bool interactive, TimeProvider time) =>
        new(label, meter, duration, output, interactive, time);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await WriteAsync(final: true);
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_interactive ? 1 : 5), time);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            await WriteAsync(final: false);
        }
    }

    private async Task WriteAsync(bool final)
    {
        var elapsed = _meter.Elapsed;
        var events = _meter.AudioEvents;
        var seconds = (elapsed - _lastElapsed).TotalSeconds;
        var rate = seconds > 0 ? (events - _lastEvents) / seconds : 0;
        (_lastEvents, _lastElapsed) = (events, elapsed);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_label} {Math.Min(elapsed.TotalSeconds, _duration.TotalSeconds):0}/{_duration.TotalSeconds:0} s · streams {_meter.Streams} " +
            $"(in flight {_meter.InFlight}, ended {_meter.Ended}, failed {_meter.Failed}) · audio events {rate:0}/s");
        if (_interactive)
        {
            var padded = line.PadRight(_lastLength);
            _lastLength = line.Length;
            await _output.WriteAsync("\r" + padded + (final ? System.Environment.NewLine : string.Empty));
        }
        else if (!final)
        {
            await _output.WriteLineAsync("  " + line);
        }
    }
}
