using Cdd.Csi.Lvm;
using Cdd.Csi.Services;
using RpcType = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;

namespace Cdd.Csi.Tests.Services;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class ControllerCapabilitiesTests
{
    static async Task<List<RpcType>> Capabilities(bool expandOnNode)
    {
        var options = new DriverOptions { NodeId = "n1", VolumeGroups = ["vg1"], ExpandOnNode = expandOnNode };
        var response = await new ControllerService(options, new FakeLvm(), new Locks()).ControllerGetCapabilities(new(), null!);
        return response.Capabilities.Select(c => c.Rpc.Type).ToList();
    }

    [Fact]
    public async Task Expand_on_node_leaves_controller_expansion_unadvertised_so_the_resizer_only_records_the_size()
    {
        Assert.Contains(RpcType.ExpandVolume, await Capabilities(expandOnNode: false));
        var onNode = await Capabilities(expandOnNode: true);
        Assert.DoesNotContain(RpcType.ExpandVolume, onNode);
        Assert.Contains(RpcType.CreateDeleteSnapshot, onNode);
        Assert.Contains(RpcType.CloneVolume, onNode);
    }
}
