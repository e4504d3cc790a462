using Cdd.Ipam.Store;

namespace Cdd.Ipamd;

/// <summary>Where the agent finds a pool's reservations: one shared Kubernetes store, or the file store opened (and locked) per request.</summary>
public interface IPoolStores
{
    StoreLease Open(string pool);
}

/// <summary>A store for the length of one request; disposing releases whatever lock came with it.</summary>
public readonly record struct StoreLease(IReservationStore Store, IDisposable? Lease) : IDisposable
{
    public void Dispose() => Lease?.Dispose();
}
