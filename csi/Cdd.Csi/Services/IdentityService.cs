using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

internal sealed class IdentityService(DriverOptions options, Backends.Backends backends) : Identity.IdentityBase
{
    public override Task<GetPluginInfoResponse> GetPluginInfo(GetPluginInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new GetPluginInfoResponse
        {
            Name = options.Name,
            VendorVersion = typeof(IdentityService).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        });

    public override Task<GetPluginCapabilitiesResponse> GetPluginCapabilities(GetPluginCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new GetPluginCapabilitiesResponse
        {
            Capabilities = { Service(PluginCapability.Types.Service.Types.Type.ControllerService) },
        };
        // A LUN is reachable from every node; an LV only from its own.
        if (!options.Controller) response.Capabilities.Add(Service(PluginCapability.Types.Service.Types.Type.VolumeAccessibilityConstraints));
        response.Capabilities.Add(new PluginCapability
        {
            VolumeExpansion = new PluginCapability.Types.VolumeExpansion { Type = PluginCapability.Types.VolumeExpansion.Types.Type.Online },
        });
        return Task.FromResult(response);
    }

    /// <summary>Ready when every backend served here can serve (LVM: lvm2 answers and every configured VG is present).</summary>
    public override async Task<ProbeResponse> Probe(ProbeRequest request, ServerCallContext context)
    {
        foreach (var b in backends.Controllers) await b.ProbeAsync();
        return new ProbeResponse { Ready = true };
    }

    static PluginCapability Service(PluginCapability.Types.Service.Types.Type t) =>
        new() { Service = new PluginCapability.Types.Service { Type = t } };
}
