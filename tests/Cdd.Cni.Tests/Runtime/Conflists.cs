using System.Text.Json.Nodes;

namespace Cdd.Cni.Tests.Runtime;

/// <summary>The conflists a runtime reads: one cdd-cni plugin delegating to the reference host-local.</summary>
internal static class Conflists
{
    public static string Macvlan(string name, string master, string ipamDir, string subnet, string gateway) =>
        Wrap(name, new JsonObject
        {
            ["type"] = "cdd-cni",
            ["mode"] = "macvlan",
            ["master"] = master,
            ["macvlanMode"] = "bridge",
            ["mtu"] = 1500,
            ["ipam"] = HostLocal(ipamDir, subnet, gateway),
        });

    public static string Overlay(string name, string bridge, int vni, string underlay, string localAddress, string[] peers,
        string ipamDir, string subnet, string gateway) =>
        Wrap(name, new JsonObject
        {
            ["type"] = "cdd-cni",
            ["mode"] = "overlay",
            ["bridge"] = bridge,
            ["vni"] = vni,
            ["vxlanPort"] = 4789,
            ["underlay"] = underlay,
            ["localAddress"] = localAddress,
            ["peers"] = new JsonArray(peers.Select(p => (JsonNode)p).ToArray()),
            ["ipam"] = HostLocal(ipamDir, subnet, gateway),
        });

    static JsonObject HostLocal(string dataDir, string subnet, string gateway) => new()
    {
        ["type"] = "host-local",
        ["dataDir"] = dataDir,
        ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet, ["gateway"] = gateway })),
        ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
    };

    // podman 4.3's libcni reads conflists up to CNI 1.0.0
    static string Wrap(string name, JsonObject plugin) => new JsonObject
    {
        ["cniVersion"] = "1.0.0",
        ["name"] = name,
        ["plugins"] = new JsonArray(plugin),
    }.ToJsonString();
}
