using System.Net;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>
/// One destination reserved for one synthesis; disposing it gives the slot back. If its <see cref="BackendCall"/> is
/// still running then (the edge abandoned it), the slot stays taken until the call's answer ends, for at most
/// <see cref="FinishingTimeout"/>: the GPU is free only when it stops computing.
/// </summary>
internal sealed class BackendLease : IDisposable
{
    private readonly IBackendLeaseOwner _owner;
    private readonly TimeProvider _time;
    private readonly long _acquiredAt;
    private BackendCall? _call;
    private bool _finishing;
    private int _disposed;

    public BackendLease(IBackendLeaseOwner owner, ClusterState cluster, DestinationState destination, IBackendDialect dialect, TimeSpan finishingTimeout, TimeProvider time)
    {
        _owner = owner;
        _time = time;
        _acquiredAt = time.GetTimestamp();
        Cluster = cluster;
        Destination = destination;
        Dialect = dialect;
        FinishingTimeout = finishingTimeout;
        Address = new Uri(destination.Model.Config.Address, UriKind.Absolute);
    }

    public ClusterState Cluster { get; }

    public DestinationState Destination { get; }

    public string DestinationId => Destination.DestinationId;

    public IBackendDialect Dialect { get; }

    public Uri Address { get; }

    /// <summary>How long the slot may stay taken after the edge abandons the call, while the GPU finishes it.</summary>
    public TimeSpan FinishingTimeout { get; }

    /// <summary>Starts the synthesis call on this destination (one per lease).</summary>
    public BackendCall Call(BackendRequest request, IPcmSink sink, BackendLimits limits, CancellationToken sinkToken)
    {
        if (_call is not null)
        {
            throw new InvalidOperationException("A lease carries one call.");
        }

        return _call = new BackendCall(this, Dialect.CreateRequest(Address, request), sink, limits, _time, sinkToken);
    }

    /// <summary>Sends a request with the cluster's YARP-configured HTTP client.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var config = Cluster.Model.Config.HttpRequest;
        request.Version = config?.Version ?? HttpVersion.Version11;
        request.VersionPolicy = config?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower;
        return Cluster.Model.HttpClient.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_call is not { Finished.IsCompleted: false } call)
        {
            Release();
            return;
        }

        // Abandoned while the backend may still be computing: the slot is freed when its answer ends.
        call.Abort(FinishingTimeout);
        _finishing = true;
        _owner.Finishing(this);
        call.Finished.ContinueWith(
            static (_, state) => ((BackendLease)state!).Release(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Release()
    {
        if (_call is { } call)
        {
            _ = call.Finished.Exception; // observed: the attempt reported what mattered
            call.Dispose();
        }

        _owner.Release(this, new LeaseEnd(_time.GetElapsedTime(_acquiredAt), Used: _call is not null, _finishing, _call?.SentAudio ?? false));
    }
}
