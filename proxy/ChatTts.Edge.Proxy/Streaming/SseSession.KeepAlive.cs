namespace ChatTts.Edge.Streaming;

/// <summary>The keepalive of <see cref="SseSession"/>: no silence on the wire longer than the interval.</summary>
internal sealed partial class SseSession
{
    /// <summary>
    /// Keeps a quiet stream alive until <see cref="StopKeepAlive"/> or the client goes away: no gap between writes
    /// exceeds <paramref name="interval"/>. Before any audio, the stream opens (headers, <c>meta</c>, a comment) once a
    /// whole interval has passed.
    /// </summary>
    public async Task KeepAliveAsync(TimeSpan interval, CancellationToken clientGone)
    {
        var half = interval / 2;
        _keepAlive = new PeriodicTimer(half, _time);
        try
        {
            // A stopped timer ends the loop without an exception: stopping is every stream's normal end.
            while (await _keepAlive.WaitForNextTickAsync(clientGone))
            {
                await _writeLock.WaitAsync(clientGone);
                try
                {
                    // Ticking at half the interval and writing after half an interval of silence bounds every gap by the
                    // interval. Timers may fire a little before a clock read says they are due: a quarter tick of
                    // slack keeps a tick that is a hair early from leaving the stream silent until the next one.
                    if (!Detached && _time.GetElapsedTime(_lastWrite) >= (IsOpen ? half : interval) - (half / 4))
                    {
                        // While queued, meta waits for the backend: queued events may still follow.
                        if (_queued)
                        {
                            Open();
                        }
                        else
                        {
                            OpenWithMeta();
                        }

                        _events.WriteComment("keepalive"u8);
                        await FlushAsync(clientGone);
                    }
                }
                finally
                {
                    _writeLock.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away; there is nothing left to keep alive.
        }
    }

    /// <summary>Ends <see cref="KeepAliveAsync"/> after any keepalive it is writing.</summary>
    public void StopKeepAlive() => _keepAlive?.Dispose();
}
