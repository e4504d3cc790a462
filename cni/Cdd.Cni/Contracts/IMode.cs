using Cdd.Cni.Spec;

namespace Cdd.Cni.Contracts;

/// <summary>One way of plugging a pod interface (macvlan, overlay, later sriov).</summary>
internal interface IMode
{
    /// <summary>Checks the mode's own fields of the config; throws <see cref="CniException"/> (code 7) naming the field.</summary>
    void Validate(CniContext ctx);

    /// <summary>Plugs the interface, calls IPAM, configures addresses and routes. Undoes every step it made when a later one fails.</summary>
    CniResult Add(CniContext ctx);

    /// <summary>Best effort and idempotent: a gone namespace, link or allocation is success.</summary>
    void Del(CniContext ctx);

    /// <summary>Verifies the interface against ctx.PrevResult; throws with a message saying what drifted.</summary>
    void Check(CniContext ctx);

    /// <summary>Throws <see cref="CniException"/> code 50 or 51 when the node's prerequisites are not usable.</summary>
    void Status(CniContext ctx);

    /// <summary>CNI GC: releases what the mode itself keeps for attachments the runtime no longer lists (IPAM GC runs after it).</summary>
    void Gc(CniContext ctx) { }
}
