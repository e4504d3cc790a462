namespace Cdd.Ipam.Store;

/// <summary>Where the agent finds a pool's reservations: one shared Kubernetes store, or the file store opened (and locked) per request.</summary>
public interface IPoolStores
{
    StoreLease Open(string pool);
}
