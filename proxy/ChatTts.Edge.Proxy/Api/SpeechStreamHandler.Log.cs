using ChatTts.Edge.Backends;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Api;

/// <summary>The log lines of <see cref="SpeechStreamHandler"/>.</summary>
internal sealed partial class SpeechStreamHandler
{
    private static partial class Log
    {
        // The key id names the key (or cert:<CN>, anonymous:<address>); the key itself never reaches a log.
        [LoggerMessage(LogEvents.StreamCompleted, LogLevel.Information, "Stream {RequestId} by {KeyId}: {Outcome} on {Backend} after {Attempts} attempt(s); first audio {TtfaMs} ms, {DurationMs:F0} ms in all, {Chunks} chunks, {AudioMs:F0} ms of audio, {Characters} characters")]
        public static partial void Completed(ILogger logger, string requestId, string keyId, string outcome, string backend, int attempts, double? ttfaMs, double durationMs, long chunks, double audioMs, int characters);

        [LoggerMessage(LogEvents.ClientGone, LogLevel.Debug, "Stream {RequestId} on {Backend}: the client went away after {Chunks} chunks")]
        public static partial void ClientGone(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(LogEvents.ClientStalled, LogLevel.Warning, "Stream {RequestId} on {Backend}: the client stopped reading after {Chunks} chunks; its connection was closed")]
        public static partial void ClientStalled(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(LogEvents.StreamFailed, LogLevel.Warning, "Stream {RequestId} on {Backend} failed ({Kind}, stream open: {Open}): {Reason}")]
        public static partial void BackendFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, bool open, string reason);

        [LoggerMessage(LogEvents.StreamRefused, LogLevel.Warning, "Stream {RequestId} refused: {Refusal}")]
        public static partial void Refused(ILogger logger, string requestId, Admission.AdmissionRefusal refusal);

        [LoggerMessage(LogEvents.UnexpectedFailure, LogLevel.Error, "Stream {RequestId} on {Backend} failed unexpectedly")]
        public static partial void UnexpectedFailure(ILogger logger, Exception exception, string requestId, string backend);

        [LoggerMessage(LogEvents.DrainEnded, LogLevel.Warning, "Stream {RequestId} on {Backend} ended by the drain timeout after {Chunks} chunks")]
        public static partial void DrainEnded(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(LogEvents.StreamResumed, LogLevel.Information, "Stream {RequestId} by {KeyId} resumed {OriginalRequestId} after {LastEventId}: {Outcome}; {Chunks} chunks, {DurationMs:F0} ms in all")]
        public static partial void Resumed(ILogger logger, string requestId, string keyId, string originalRequestId, string lastEventId, string outcome, long chunks, double durationMs);
    }
}
