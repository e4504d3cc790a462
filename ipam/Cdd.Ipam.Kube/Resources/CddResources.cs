namespace Cdd.Ipam.Kube.Resources;

/// <summary>Where the custom resources live and the labels and annotations the agent reads and writes.</summary>
public static class CddResources
{
    public const string Group = "cdd.io";
    public const string Version = "v1";
    public const string ApiVersion = Group + "/" + Version;
    public const string ReservationPlural = "ipreservations";
    public const string ReservationKind = "IPReservation";
    public const string PoolPlural = "ippools";
    public const string PoolKind = "IPPool";

    /// <summary>Label on each IPReservation naming its pool: the agent's watch and fresh lists select by it.</summary>
    public const string PoolLabel = "cdd.io/pool";
    /// <summary>Label on each IPReservation naming its segment: a node agent watches only the segments its node can use.</summary>
    public const string SegmentLabel = "cdd.io/segment";
    /// <summary>Label on a fixed binding: a hash of its identity, so the binding is found by a selector, not by reading the pool.</summary>
    public const string FixedLabel = "cdd.io/fixed";
    /// <summary>Label on each IPReservation naming the node of its attachment (when the name fits a label value).</summary>
    public const string NodeLabel = "cdd.io/node";
    /// <summary>
    /// Annotation carrying a token unique to each update the agent makes: when an update's answer is lost, reading the
    /// object back tells our write (the token is there) from someone else's that left the same spec.
    /// </summary>
    public const string WriteTokenAnnotation = "cdd.io/write-token";
    /// <summary>Node annotation listing the VLANs its trunk can tag, comma-separated ("100,200").</summary>
    public const string TrunkVlansAnnotation = "cdd.io/trunk-vlans";
}
