using System.Net;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>One destination reserved for one synthesis; disposing it gives the slot back.</summary>
internal sealed class BackendLease : IDisposable
{
    private readonly BackendSelector _owner;
    private readonly long _acquiredAt;
    private int _disposed;
    private bool _used;

    public BackendLease(BackendSelector owner, ClusterState cluster, DestinationState destination, IBackendDialect dialect, long acquiredAt)
    {
        _owner = owner;
        _acquiredAt = acquiredAt;
        Cluster = cluster;
        Destination = destination;
        Dialect = dialect;
        Address = new Uri(destination.Model.Config.Address, UriKind.Absolute);
    }

    public ClusterState Cluster { get; }

    public DestinationState Destination { get; }

    public string DestinationId => Destination.DestinationId;

    public IBackendDialect Dialect { get; }

    public Uri Address { get; }

    /// <summary>Sends the dialect's request with the cluster's YARP-configured HTTP client.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var config = Cluster.Model.Config.HttpRequest;
        request.Version = config?.Version ?? HttpVersion.Version11;
        request.VersionPolicy = config?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower;
        _used = true;
        return Cluster.Model.HttpClient.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _owner.Release(Destination, _acquiredAt, _used);
        }
    }
}
