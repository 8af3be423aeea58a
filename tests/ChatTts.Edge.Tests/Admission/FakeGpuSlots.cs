using System.Collections.Frozen;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Tests.Admission;

/// <summary>
/// GPU slots a test controls. Each GPU has a dialect and a number of slots; a request takes a slot on the first GPU (in
/// the order added) that it does not exclude, whose dialect can honour it and that has room. Giving a lease back frees
/// its slot and raises <see cref="SlotFreed"/>, as <see cref="BackendSelector"/> does.
/// </summary>
internal sealed class FakeGpuSlots(TimeProvider time) : IGpuSlots, IBackendLeaseOwner
{
    private readonly Lock _lock = new();
    private readonly List<Gpu> _gpus = [];
    private readonly ClusterState _cluster = new(
        BackendMetadata.ClusterId,
        new ClusterModel(new ClusterConfig { ClusterId = BackendMetadata.ClusterId }, new HttpMessageInvoker(new SocketsHttpHandler())));

    public event Action<TimeSpan?>? SlotFreed;

    public void Add(string id, IBackendDialect? dialect = null, int slots = 1)
    {
        var state = new DestinationState(id, new DestinationModel(new DestinationConfig { Address = $"http://{id}:9700/" }));
        lock (_lock)
        {
            _gpus.Add(new Gpu(state, dialect ?? new WebUiDialect(), slots));
        }
    }

    /// <summary>Slots taken on <paramref name="id"/> now.</summary>
    public int InUse(string id)
    {
        lock (_lock)
        {
            return _gpus.Single(g => g.State.DestinationId == id).InUse;
        }
    }

    public BackendSelection TryTake(AdmissionRequest request)
    {
        lock (_lock)
        {
            var candidates = false;
            var restricted = false;
            foreach (var gpu in _gpus)
            {
                if (!Serves(gpu, request.Exclude, request.Speech))
                {
                    restricted = true;
                    continue;
                }

                candidates = true;
                if (gpu.InUse < gpu.Slots)
                {
                    gpu.InUse++;
                    var lease = new BackendLease(this, _cluster, gpu.State, gpu.Dialect, TimeSpan.Zero, time);
                    return new BackendSelection(lease, HasCandidates: true, restricted);
                }
            }

            return candidates ? new BackendSelection(null, HasCandidates: true, restricted) : BackendSelection.NoCandidates;
        }
    }

    public bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest speech)
    {
        lock (_lock)
        {
            return _gpus.Exists(g => Serves(g, exclude, speech));
        }
    }

    public bool HasConfigured(IReadOnlySet<string> exclude)
    {
        lock (_lock)
        {
            return _gpus.Exists(g => !exclude.Contains(g.State.DestinationId));
        }
    }

    public bool ServesAnywhere(BackendRequest speech)
    {
        lock (_lock)
        {
            return _gpus.TrueForAll(g => g.Dialect.Unsupported(speech) is null);
        }
    }

    public int Free(BackendRequest speech)
    {
        lock (_lock)
        {
            return _gpus.Where(g => Serves(g, FrozenSet<string>.Empty, speech)).Sum(g => g.Slots - g.InUse);
        }
    }

    public int Capacity()
    {
        lock (_lock)
        {
            return _gpus.Sum(g => g.Slots);
        }
    }

    void IBackendLeaseOwner.Finishing(BackendLease lease)
    {
    }

    void IBackendLeaseOwner.Release(BackendLease lease, LeaseEnd end)
    {
        lock (_lock)
        {
            _gpus.Single(g => g.State.DestinationId == lease.DestinationId).InUse--;
        }

        SlotFreed?.Invoke(end.Used ? end.Held : null);
    }

    private static bool Serves(Gpu gpu, IReadOnlySet<string> exclude, BackendRequest speech) =>
        !exclude.Contains(gpu.State.DestinationId) && gpu.Dialect.Unsupported(speech) is null;

    private sealed class Gpu(DestinationState state, IBackendDialect dialect, int slots)
    {
        public DestinationState State { get; } = state;

        public IBackendDialect Dialect { get; } = dialect;

        public int Slots { get; } = slots;

        public int InUse { get; set; }
    }
}
