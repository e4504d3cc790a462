using Cdd.Csi.Lvm;
using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

internal sealed class IdentityService(DriverOptions options, ILvm lvm) : Identity.IdentityBase
{
    public override Task<GetPluginInfoResponse> GetPluginInfo(GetPluginInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPluginInfoResponse
        {
            Name = DriverOptions.DriverName,
            VendorVersion = typeof(IdentityService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        });

    public override Task<GetPluginCapabilitiesResponse> GetPluginCapabilities(GetPluginCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPluginCapabilitiesResponse
        {
            Capabilities =
            {
                Service(PluginCapability.Types.Service.Types.Type.ControllerService),
                Service(PluginCapability.Types.Service.Types.Type.VolumeAccessibilityConstraints),
                new PluginCapability
                {
                    VolumeExpansion = new PluginCapability.Types.VolumeExpansion { Type = PluginCapability.Types.VolumeExpansion.Types.Type.Online },
                },
            },
        });

    /// <summary>Ready when lvm2 answers and every configured VG is present.</summary>
    public override async Task<ProbeResponse> Probe(ProbeRequest request, ServerCallContext context)
    {
        var vgs = (await lvm.VolumeGroupsAsync()).Select(v => v.Name).ToHashSet();
        var missing = options.VolumeGroups.Where(v => !vgs.Contains(v)).ToList();
        if (missing.Count > 0)
            throw new Errors.CsiException(Errors.CsiFault.FailedPrecondition, $"volume group(s) not found: {string.Join(", ", missing)}");
        return new ProbeResponse { Ready = true };
    }

    static PluginCapability Service(PluginCapability.Types.Service.Types.Type t) =>
        new() { Service = new PluginCapability.Types.Service { Type = t } };
}
