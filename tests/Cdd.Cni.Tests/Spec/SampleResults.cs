using System.Net;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Net;

namespace Cdd.Cni.Tests.Spec;

/// <summary>One result that uses every field, and its expected text in each version.</summary>
internal static class SampleResults
{
    public static CniResult Full() => new()
    {
        Interfaces =
        {
            new CniInterface { Name = "cdd1a2b3c4", Mac = "ee:ee:ee:ee:ee:01", Mtu = 1500 },
            new CniInterface
            {
                Name = "eth0", Mac = "02:42:ac:11:00:02", Mtu = 9000, Sandbox = "/var/run/netns/pod1",
                SocketPath = "/run/vhost.sock", PciId = "0000:3b:02.1",
            },
        },
        Ips =
        {
            new CniIpConfig { Address = IpPrefix.Parse("10.1.0.5/24"), Gateway = IPAddress.Parse("10.1.0.1"), Interface = 1 },
            new CniIpConfig { Address = IpPrefix.Parse("fd00:1::5/64"), Interface = 1 },
        },
        Routes =
        {
            new CniRoute { Dst = IpPrefix.Parse("0.0.0.0/0"), Gw = IPAddress.Parse("10.1.0.1"), Mtu = 1400, AdvMss = 1360, Priority = 100, Table = 5001, Scope = 0 },
            new CniRoute { Dst = IpPrefix.Parse("192.168.0.0/16") },
        },
        Dns = new CniDns { Nameservers = ["10.96.0.10"], Domain = "cluster.local", Search = ["db.svc.cluster.local"], Options = ["ndots:5"] },
    };

    public const string V110 = """
        {
          "cniVersion": "1.1.0",
          "interfaces": [
            { "name": "cdd1a2b3c4", "mac": "ee:ee:ee:ee:ee:01", "mtu": 1500 },
            { "name": "eth0", "mac": "02:42:ac:11:00:02", "mtu": 9000, "sandbox": "/var/run/netns/pod1",
              "socketPath": "/run/vhost.sock", "pciID": "0000:3b:02.1" }
          ],
          "ips": [
            { "address": "10.1.0.5/24", "gateway": "10.1.0.1", "interface": 1 },
            { "address": "fd00:1::5/64", "interface": 1 }
          ],
          "routes": [
            { "dst": "0.0.0.0/0", "gw": "10.1.0.1", "mtu": 1400, "advmss": 1360, "priority": 100, "table": 5001, "scope": 0 },
            { "dst": "192.168.0.0/16" }
          ],
          "dns": { "nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["db.svc.cluster.local"], "options": ["ndots:5"] }
        }
        """;

    public const string V100 = """
        {
          "cniVersion": "1.0.0",
          "interfaces": [
            { "name": "cdd1a2b3c4", "mac": "ee:ee:ee:ee:ee:01" },
            { "name": "eth0", "mac": "02:42:ac:11:00:02", "sandbox": "/var/run/netns/pod1" }
          ],
          "ips": [
            { "address": "10.1.0.5/24", "gateway": "10.1.0.1", "interface": 1 },
            { "address": "fd00:1::5/64", "interface": 1 }
          ],
          "routes": [
            { "dst": "0.0.0.0/0", "gw": "10.1.0.1" },
            { "dst": "192.168.0.0/16" }
          ],
          "dns": { "nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["db.svc.cluster.local"], "options": ["ndots:5"] }
        }
        """;

    /// <summary>0.3.0, 0.3.1 and 0.4.0 share one shape; only the version string differs.</summary>
    public static string Legacy(string version) => $$"""
        {
          "cniVersion": "{{version}}",
          "interfaces": [
            { "name": "cdd1a2b3c4", "mac": "ee:ee:ee:ee:ee:01" },
            { "name": "eth0", "mac": "02:42:ac:11:00:02", "sandbox": "/var/run/netns/pod1" }
          ],
          "ips": [
            { "version": "4", "address": "10.1.0.5/24", "gateway": "10.1.0.1", "interface": 1 },
            { "version": "6", "address": "fd00:1::5/64", "interface": 1 }
          ],
          "routes": [
            { "dst": "0.0.0.0/0", "gw": "10.1.0.1" },
            { "dst": "192.168.0.0/16" }
          ],
          "dns": { "nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["db.svc.cluster.local"], "options": ["ndots:5"] }
        }
        """;

    public static string For(string version) => version switch
    {
        "1.1.0" => V110,
        "1.0.0" => V100,
        _ => Legacy(version),
    };
}
