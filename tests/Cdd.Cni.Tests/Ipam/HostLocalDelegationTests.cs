using Cdd.Cni.Ipam;

namespace Cdd.Cni.Tests.Ipam;

/// <summary>
/// Against Debian's real host-local (containernetworking-plugins 1.1.1, CNI up to 1.0.0): proves the downgrade
/// path on the peer it was written for. Needs no root: host-local only writes files under dataDir.
/// </summary>
[Collection(PluginExecCollection.Name)]
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class HostLocalDelegationTests : IDisposable
{
    private const string Debian = "/usr/lib/cni";
    private readonly PluginDir _dir = new();
    private readonly ExecIpam _ipam = new();

    public HostLocalDelegationTests()
    {
        if (!File.Exists(Path.Join(Debian, "host-local")))
            throw new InvalidOperationException(
                $"{Debian}/host-local is missing: install Debian's containernetworking-plugins (apt-get install containernetworking-plugins)");
    }

    public void Dispose() => _dir.Dispose();

    private string Config => $$$"""
        {"cniVersion":"1.1.0","name":"mgr-net","type":"cdd-cni","mode":"macvlan",
         "ipam":{"type":"host-local","dataDir":"{{{_dir.Records}}}","ranges":[[{"subnet":"10.99.0.0/24","gateway":"10.99.0.1"}]],
                 "routes":[{"dst":"0.0.0.0/0"}]}}
        """;

    [Fact]
    public void Add_and_del_through_debians_host_local_at_cni_1_1_0()
    {
        var result = _ipam.Add(_dir.Context("ADD", Config, _ipam, cniPath: Debian));
        Assert.Equal("10.99.0.2/24", result.Ips[0].Address.ToString());
        Assert.Equal("10.99.0.1", result.Ips[0].Gateway!.ToString());
        Assert.Equal("0.0.0.0/0", result.Routes[0].Dst.ToString());
        Assert.True(File.Exists(Path.Join(_dir.Records, "mgr-net", "10.99.0.2")));

        _ipam.Del(_dir.Context("DEL", Config, _ipam, cniPath: Debian));
        Assert.False(File.Exists(Path.Join(_dir.Records, "mgr-net", "10.99.0.2")));
    }

    [Fact]
    public void Gc_and_status_on_debians_host_local_succeed_without_calling_verbs_it_lacks()
    {
        _ipam.Gc(_dir.Context("GC", Config, _ipam, cniPath: Debian));
        _ipam.Status(_dir.Context("STATUS", Config, _ipam, cniPath: Debian));
    }
}
