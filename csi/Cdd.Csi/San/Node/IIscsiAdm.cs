using System.Net;

namespace Cdd.Csi.San.Node;

/// <summary>open-iscsi's iscsiadm, one method per invocation the node uses (argument vectors, timeouts: <see cref="IscsiAdm"/>).</summary>
internal interface IIscsiAdm
{
    /// <summary>`iscsiadm -m session`: the logged-in sessions; empty when there are none.</summary>
    Task<IReadOnlyList<IscsiSession>> SessionsAsync();

    /// <summary>`-m discovery -t sendtargets -p PORTAL`: creates node records for what the portal offers.</summary>
    Task DiscoverAsync(IPEndPoint portal);

    /// <summary>`-m node -T TARGET -p PORTAL -o update -n KEY -v VALUE`; <paramref name="secret"/> keeps the value out of every message.</summary>
    Task UpdateAsync(string target, IPEndPoint portal, string key, string value, bool secret = false);

    Task LoginAsync(string target, IPEndPoint portal);

    Task LogoutAsync(string target, IPEndPoint portal);

    /// <summary>`-m node -T TARGET -p PORTAL -o delete`: the node record, so nothing logs in again at boot.</summary>
    Task DeleteNodeAsync(string target, IPEndPoint portal);
}

internal sealed record IscsiSession(int Id, IPEndPoint Portal, string Target);
