namespace Cdd.Ipam.Kube.Store;

/// <summary>Counters for the agent's metrics: what the store met on the wire.</summary>
public sealed class KubeStoreStats
{
    internal long _claims, _taken, _siblings, _retries, _lostReplies, _freshLists, _bindingLookups;

    public long Claims => Interlocked.Read(ref _claims);
    /// <summary>Claims answered 409: another writer holds the address.</summary>
    public long Taken => Interlocked.Read(ref _taken);
    /// <summary>Claims not sent because a sibling ADD on this node was claiming the same address at that moment.</summary>
    public long SiblingClaims => Interlocked.Read(ref _siblings);
    /// <summary>Requests tried again after a 5xx, 429, timeout or a lost connection.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Writes whose answer was lost but which the server had applied (found by reading the object back).</summary>
    public long LostReplies => Interlocked.Read(ref _lostReplies);
    /// <summary>LISTs without resourceVersion (quorum reads past the API server's cache).</summary>
    public long FreshLists => Interlocked.Read(ref _freshLists);
    /// <summary>Fixed bindings looked up by their label from the API server's cache.</summary>
    public long BindingLookups => Interlocked.Read(ref _bindingLookups);
}
