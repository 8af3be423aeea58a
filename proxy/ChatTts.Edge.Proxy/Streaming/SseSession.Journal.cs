using System.Buffers;
using System.Text.Json;
using ChatTts.Edge.Audio;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// How <see cref="SseSession"/> opens (status, headers, <c>retry:</c>, <c>meta</c>), records its events in a journal, goes
/// on without its client, and writes the events of a journal again for a client that resumes.
/// </summary>
internal sealed partial class SseSession
{
    private ArrayBufferWriter<byte>? _rendered;

    /// <summary>
    /// True once the client went away from a stream that can be resumed (it is recorded and has sent audio, so the client
    /// holds an id to come back with): from then on events go to the journal only, and the synthesis goes on.
    /// </summary>
    public bool Detached { get; private set; }

    /// <summary>Opens the stream and sends <c>meta</c> now (a resumed stream has no backend to wait for).</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            OpenWithMeta();
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes an event of a journal, byte for byte as the stream that recorded it wrote it.</summary>
    public async ValueTask ReplayAsync(RecordedEvent recorded, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            OpenWithMeta();
            if (recorded.Kind == RecordedEventKind.Audio)
            {
                _events.WriteAudio(_idPrefix, recorded.Seq, recorded.OffsetSamples, recorded.Samples, recorded.Payload.Span);
                NextSeq = recorded.Seq + 1;
                SamplesSent = recorded.OffsetSamples + recorded.Samples;
                if (FirstAudioTimestamp is null)
                {
                    FirstAudioTimestamp = _time.GetTimestamp();
                    TimeToFirstAudio = _time.GetElapsedTime(_started, FirstAudioTimestamp.Value);
                }
            }
            else
            {
                _events.WriteEvent(EventName(recorded.Kind), recorded.Payload.Span);
            }

            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static ReadOnlySpan<byte> EventName(RecordedEventKind kind) => kind switch
    {
        RecordedEventKind.Segment => SegmentEvent,
        RecordedEventKind.Done => DoneEvent,
        RecordedEventKind.Error => ErrorEvent,
        _ => "audio"u8,
    };

    private async Task WriteEventAsync<TState>(RecordedEventKind kind, byte[] name, TState state, Action<Utf8JsonWriter, TState> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_recorder is null)
            {
                OpenWithMeta();
                _events.WriteJsonEvent(name, state, body);
                await FlushAsync(cancellationToken);
                return;
            }

            // Recorded: the JSON is rendered once, for the client and for the journal (these events are few).
            _rendered ??= new ArrayBufferWriter<byte>(256);
            _rendered.ResetWrittenCount();
            _events.RenderJson(_rendered, state, body);
            if (!Detached)
            {
                OpenWithMeta();
                _events.WriteEvent(name, _rendered.WrittenSpan);
            }

            _recorder.Record(kind, NextSeq - 1, SamplesSent, 0, _rendered.WrittenSpan);
            if (!Detached)
            {
                await FlushOrDetachAsync(cancellationToken);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Open()
    {
        if (IsOpen)
        {
            return;
        }

        IsOpen = true;
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store, no-transform";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        if (_identity.RetryMilliseconds is { } retry)
        {
            _events.WriteRetry(retry);
        }
    }

    /// <summary>Opens the stream if needed and sends <c>meta</c> once, ahead of anything but <c>queued</c>.</summary>
    private void OpenWithMeta()
    {
        Open();
        if (_metaSent)
        {
            return;
        }

        _metaSent = true;
        _events.WriteJsonEvent("meta"u8, _identity, static (json, identity) =>
        {
            json.WriteString("request_id", identity.RequestId);
            json.WriteNumber("sample_rate", PcmFormat.SampleRate);
            json.WriteNumber("channels", PcmFormat.Channels);
            json.WriteNumber("bits_per_sample", PcmFormat.BitsPerSample);
            json.WriteString("format", "wav");
            if (identity.ResumedFrom is { } from)
            {
                json.WriteString("resumed_from", from);
            }
            else
            {
                json.WriteNull("resumed_from");
            }
        });
    }

    private ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _lastWrite = _time.GetTimestamp();
        return _client.FlushAsync(cancellationToken);
    }

    /// <summary>Flushes; a client gone from a recorded stream that has sent audio detaches the stream instead of ending it.</summary>
    private async ValueTask FlushOrDetachAsync(CancellationToken cancellationToken)
    {
        if (_recorder is null || NextSeq == 0)
        {
            await FlushAsync(cancellationToken);
            return;
        }

        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException ex) when (ex is ClientGoneException || _context.RequestAborted.IsCancellationRequested)
        {
            Detached = true;
        }
    }
}
