namespace ChatTts.Edge.Hosting;

/// <summary>
/// Every event id the edge logs with, in one table: stable numbers a log pipeline can filter and alert on. Grouped by
/// the feature that writes them, in the order a request meets the features.
/// </summary>
internal static class LogEvents
{
    // Api: one line per stream, and how it ended.
    public const int StreamCompleted = 1;
    public const int ClientGone = 2;
    public const int StreamFailed = 3;
    public const int StreamRefused = 4;
    public const int UnexpectedFailure = 6;
    public const int DrainEnded = 9;
    public const int ClientStalled = 10;
    public const int StreamResumed = 11;

    // Synthesis: attempts and retries.
    public const int HalfSampleDropped = 5;
    public const int AttemptFailed = 7;
    public const int Retrying = 8;
    public const int TextSplit = 11;

    // Backends: health and the configuration of the fleet.
    public const int BackendTakenOut = 20;
    public const int BackendBackedOff = 21;
    public const int BusyProbeIgnored = 22;
    public const int SameServer = 23;

    // Admission.
    public const int QueueFull = 30;
    public const int QueueClosed = 31;
    public const int FleetOutage = 32;
    public const int FleetRecovered = 33;
    public const int FleetReleaseLapses = 34;

    // Resume: the journals of resumable streams.
    public const int ResumeQueueFull = 80;
    public const int ResumeWriteFailed = 81;
    public const int ResumeGraceEnded = 82;
    public const int ResumeStoreUnavailable = 83;
    public const int ResumeJournalBroken = 84;

    // Hosting: shutdown.
    public const int Draining = 40;
    public const int DrainExpired = 41;

    // Callers and quotas.
    public const int EphemeralTokenSecret = 50;
    public const int QuotaLimited = 51;
    public const int QuotaStoreDown = 52;
    public const int QuotaStoreBack = 53;
    public const int LeaseReleaseFailed = 54;

    // Security: certificates.
    public const int ClientCertificateRefused = 60;
    public const int BackendCertificateRefused = 61;
    public const int RevocationListLoaded = 62;
    public const int RevocationListUnusable = 63;
    public const int RevocationListNotSignedByItsCa = 64;
    public const int RevocationListExpired = 65;

    // Replay: the cache of deterministic requests.
    public const int CacheStoreDown = 80;
    public const int CacheStoreBack = 81;

    // Hosting: configuration.
    public const int ReloadRefused = 70;
    public const int ReloadApplied = 71;
    public const int ConfigurationWarning = 72;
}
