using System.Text.Json.Nodes;

namespace Cdd.Bench;

/// <summary>Network configs for each plugin under test. cniVersion 1.0.0: the highest Debian's reference plugins (v1.1.1) speak.</summary>
public static class NetConfs
{
    public static string CddMacvlan(string ipamDir) => Conf("cdd-mv", new()
    {
        ["type"] = "cdd-cni",
        ["mode"] = "macvlan",
        ["master"] = BenchLab.Master,
        ["macvlanMode"] = "bridge",
        ["mtu"] = 1500,
        ["ipam"] = HostLocal(ipamDir, "10.77.0.0/16", "10.77.0.1"),
    });

    public static string RefMacvlan(string ipamDir) => Conf("ref-mv", new()
    {
        ["type"] = "macvlan",
        ["master"] = BenchLab.Master,
        ["mode"] = "bridge",
        ["mtu"] = 1500,
        ["ipam"] = HostLocal(ipamDir, "10.78.0.0/16", "10.78.0.1"),
    });

    public static string CddOverlay(string ipamDir) => Conf("cdd-ovl", new()
    {
        ["type"] = "cdd-cni",
        ["mode"] = "overlay",
        ["bridge"] = "cdd0",
        ["vni"] = 100,
        ["vxlanPort"] = 4789,
        ["underlay"] = BenchLab.Underlay,
        ["localAddress"] = BenchLab.UnderlayAddress,
        ["peers"] = new JsonArray(BenchLab.UnderlayAddress, "192.168.77.2", "192.168.77.3"),
        ["ipam"] = HostLocal(ipamDir, "10.79.0.0/16", "10.79.0.1"),
    });

    public static string RefBridge(string ipamDir) => Conf("ref-br", new()
    {
        ["type"] = "bridge",
        ["bridge"] = "refbr0",
        ["isGateway"] = false,
        ["ipMasq"] = false,
        ["ipam"] = HostLocal(ipamDir, "10.80.0.0/16", "10.80.0.1"),
    });

    /// <summary>cdd-cni macvlan whose IPAM is cdd-ipam served by cdd-ipamd: cdd-cni asks the agent's socket, no IPAM exec.</summary>
    public static string CddMacvlanAgent(string socket) => Conf("cdd-mv-agent", new()
    {
        ["type"] = "cdd-cni",
        ["mode"] = "macvlan",
        ["master"] = BenchLab.Master,
        ["macvlanMode"] = "bridge",
        ["mtu"] = 1500,
        ["ipam"] = new JsonObject { ["type"] = "cdd-ipam", ["pool"] = "bench", ["socket"] = socket },
    });

    /// <summary>cdd-cni sriov taking free VFs of the fake PF (fake sysfs, veth VFs), host-local IPAM.</summary>
    public static string CddSriov(string ipamDir) => Conf("cdd-sriov", new()
    {
        ["type"] = "cdd-cni",
        ["mode"] = "sriov",
        ["pfs"] = new JsonArray("sriovpf0"),
        ["ipam"] = HostLocal(ipamDir, "10.83.0.0/16", "10.83.0.1"),
    });

    /// <summary>host-local on its own, as a runtime would call an IPAM plugin directly.</summary>
    public static string HostLocalOnly(string ipamDir) => Conf("hl-only", new()
    {
        ["ipam"] = HostLocal(ipamDir, "10.81.0.0/16", "10.81.0.1"),
    });

    public const string VersionQuery = """{"cniVersion":"1.0.0"}""";

    static JsonObject HostLocal(string dataDir, string subnet, string gateway) => new()
    {
        ["type"] = "host-local",
        ["dataDir"] = dataDir,
        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet, ["gateway"] = gateway })),
        ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
    };

    static string Conf(string name, JsonObject fields)
    {
        var conf = new JsonObject { ["cniVersion"] = "1.0.0", ["name"] = name };
        foreach (var (k, v) in fields.ToList())
        {
            fields.Remove(k);
            conf[k] = v;
        }
        return conf.ToJsonString();
    }
}
