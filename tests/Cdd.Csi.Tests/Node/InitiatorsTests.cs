using Cdd.Csi.Errors;
using Cdd.Csi.Node;
using Cdd.Testing;

namespace Cdd.Csi.Tests.Node;

[Tier(Tier.Unit)]
public sealed class InitiatorsTests : IDisposable
{
    readonly TempDir _etc = new("cdd-etc"), _sys = new("cdd-sys");

    public void Dispose()
    {
        _etc.Dispose();
        _sys.Dispose();
    }

    [Fact]
    public void Iqn_comes_from_initiatorname_iscsi_and_wwpns_from_every_fc_host()
    {
        Directory.CreateDirectory(Path.Combine(_etc.Path, "iscsi"));
        File.WriteAllText(Path.Combine(_etc.Path, "iscsi/initiatorname.iscsi"), "## generated\n#InitiatorName=iqn.1993-08.org.debian:01:old\nInitiatorName=iqn.1993-08.org.debian:01:5c4b2a\n");
        foreach (var (host, wwpn) in new[] { ("host3", "0x10000090FA1B2C3D"), ("host4", "0x10000090fa1b2c3e") })
        {
            Directory.CreateDirectory(Path.Combine(_sys.Path, "class/fc_host", host));
            File.WriteAllText(Path.Combine(_sys.Path, "class/fc_host", host, "port_name"), wwpn + "\n");
        }
        var i = Initiators.Read(_etc.Path, _sys.Path);
        Assert.Equal("iqn.1993-08.org.debian:01:5c4b2a", i.Iqn);
        Assert.Equal(["0x10000090fa1b2c3d", "0x10000090fa1b2c3e"], i.Wwpns);
    }

    [Fact]
    public void Node_without_open_iscsi_or_hbas_reports_neither()
    {
        var i = Initiators.Read(_etc.Path, _sys.Path);
        Assert.Null(i.Iqn);
        Assert.Empty(i.Wwpns);
    }

    [Fact]
    public void Malformed_initiator_name_is_an_error_naming_the_file()
    {
        Directory.CreateDirectory(Path.Combine(_etc.Path, "iscsi"));
        File.WriteAllText(Path.Combine(_etc.Path, "iscsi/initiatorname.iscsi"), "InitiatorName=not an iqn; rm -rf /\n");
        var e = Assert.Throws<InvalidOperationException>(() => Initiators.Read(_etc.Path, _sys.Path));
        Assert.Contains("initiatorname.iscsi", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node-A")]
    [InlineData("node-a;iqn=bogus")]
    [InlineData("node-a;wwpn=0x1234")]
    [InlineData("node-a;secret=1")]
    [InlineData("node-a/../x")]
    public void Node_id_of_another_shape_is_invalid_argument_naming_node_id(string nodeId)
    {
        var e = Assert.Throws<CsiException>(() => NodeIdentity.Parse(nodeId));
        Assert.Equal(CsiFault.InvalidArgument, e.Fault);
        Assert.Contains("node_id", e.Message);
    }

    [Fact]
    public void Node_id_round_trips()
    {
        var n = new NodeIdentity("node-a", "iqn.2026-12.io.cdd:node-a", ["0x10000090fa000001", "0x10000090fa000002"]);
        Assert.Equal(n.ToString(), NodeIdentity.Parse(n.ToString()).ToString());
        Assert.Equal("node-b", NodeIdentity.Parse("node-b").ToString());
    }
}
