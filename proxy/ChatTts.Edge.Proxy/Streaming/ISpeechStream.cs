namespace ChatTts.Edge.Streaming;

/// <summary>
/// The client's side of one request's speech, in the wire format its route speaks: the edge's own Server-Sent Events
/// (<see cref="SseSession"/>) or OpenAI's audio body and events (<c>OpenAi.OpenAiSpeechOutput</c>). It opens (status and
/// headers) only once there is something to send, so a failure before that still gets a real status.
/// </summary>
internal interface ISpeechStream : ISegmentedOutput, IDisposable
{
    /// <summary>True once the status and headers are sent: from then on, a failure is told in the stream itself.</summary>
    bool IsOpen { get; }

    /// <summary>True once the stream was ended because the client accepted no bytes for the stalled-client timeout.</summary>
    bool ClientStalled { get; }

    TimeSpan? TimeToFirstAudio { get; }

    /// <summary>Keeps a quiet stream alive, if its format can, until <see cref="StopKeepAlive"/> or the client goes away.</summary>
    Task KeepAliveAsync(TimeSpan interval, CancellationToken clientGone);

    void StopKeepAlive();

    /// <summary>Ends the stream as complete.</summary>
    Task WriteDoneAsync(DoneSummary summary, CancellationToken cancellationToken);

    /// <summary>Ends an open stream as failed, in a way no client can take for a complete answer.</summary>
    Task WriteErrorAsync(StreamError error, CancellationToken cancellationToken);
}
