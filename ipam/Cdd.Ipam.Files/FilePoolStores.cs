using Cdd.Ipam.Store;

namespace Cdd.Ipam.Files;

/// <summary>The file store, opened (and its pool locked) for one request at a time.</summary>
public sealed class FilePoolStores(string dataDir, TimeSpan lockTimeout) : IPoolStores
{
    public StoreLease Open(string pool)
    {
        var store = FileReservationStore.Open(dataDir, pool, lockTimeout);
        return new StoreLease(store, store);
    }
}
