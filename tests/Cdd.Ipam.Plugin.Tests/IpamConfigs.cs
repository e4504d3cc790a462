namespace Cdd.Ipam.Plugin.Tests;

/// <summary>
/// Network configs with a cdd-ipam section: pool "mysql" with seg-a (10.10.0.0/24, VLAN 100, rack a) and seg-b
/// (10.20.0.0/24, VLAN 200, rack b); StatefulSet "mysql" keeps its addresses.
/// </summary>
internal static class IpamConfigs
{
    public static string Ipam(string dataDir, string node = "node-a", string rack = "a", string trunk = "", string segmentA = "10.10.0.0/24") =>
        $$$"""
        {"type":"cdd-ipam","store":"file","dataDir":"{{{dataDir}}}","fixedStatefulSets":["mysql"],
         "node":{"name":"{{{node}}}","labels":{"rack":"{{{rack}}}"},"trunkVlans":[{{{trunk}}}]},
         "pool":{"name":"mysql","segments":[
           {"name":"seg-a","subnet":"{{{segmentA}}}","gateway":"10.10.0.1","vlan":100,"nodeSelector":{"rack":"a"},"routes":[{"dst":"0.0.0.0/0"}]},
           {"name":"seg-b","subnet":"10.20.0.0/24","gateway":"10.20.0.1","vlan":200,"nodeSelector":{"rack":"b"},"routes":[{"dst":"0.0.0.0/0"}]}]}}
        """;

    /// <summary>Debian's reference macvlan (speaks up to 1.0.0) with cdd-ipam as its IPAM.</summary>
    public static string ReferenceMacvlan(string ipam, string version = "1.0.0") =>
        $$"""{"cniVersion":"{{version}}","name":"mysqlnet","type":"macvlan","master":"m0","mode":"bridge","ipam":{{ipam}}}""";

    public static string CddCniMacvlan(string ipam, string version = "1.1.0") =>
        $$"""{"cniVersion":"{{version}}","name":"mysqlnet","type":"cdd-cni","mode":"macvlan","master":"m0","ipam":{{ipam}}}""";
}
