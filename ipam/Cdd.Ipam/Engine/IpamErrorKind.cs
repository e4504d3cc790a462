namespace Cdd.Ipam.Engine;

public enum IpamErrorKind
{
    /// <summary>Every address of every segment the node reaches is reserved.</summary>
    PoolExhausted,
    /// <summary>A requested address is held by another attachment.</summary>
    AddressTaken,
    /// <summary>A requested address is in no segment of the pool, or is not allocatable in its segment.</summary>
    AddressNotInPool,
    /// <summary>The node reaches no segment of the pool, or not the one an address must come from.</summary>
    SegmentUnreachable,
    /// <summary>The request itself cannot be served (e.g. more than one requested address).</summary>
    InvalidRequest,
    /// <summary>Other writers kept winning every round; the caller may try again later.</summary>
    Contended,
    /// <summary>CHECK: the pool holds no address for the attachment, or not the one the runtime remembers.</summary>
    CheckFailed,
    /// <summary>The pool's namespaceSelector/podSelector does not admit the pod.</summary>
    NotPermitted,
    /// <summary>STATUS: an ADD on this node could not get an address now (no pool, no store, no free address).</summary>
    NotAvailable,
    /// <summary>The pod is not (yet) what the cluster knows: not in the API server, or recreated under another UID; a retry may succeed.</summary>
    PodNotKnown,
}
