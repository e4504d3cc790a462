using Cdd.Cni.Contracts;
using Cdd.Ipam.Agent.Protocol;

namespace Cdd.Cni.Ipam;

/// <summary>
/// Picks the IPAM path per invocation: cdd-ipam served by the node agent is asked over its socket directly;
/// anything else (host-local, static, cdd-ipam on its file store) is exec'd per the spec.
/// </summary>
internal sealed class IpamRouter(IIpam exec, IIpam agent) : IIpam
{
    public IpamRouter() : this(new ExecIpam(), new AgentIpam()) { }

    IIpam For(CniContext ctx) => AgentSettings.Applies(ctx.Config) ? agent : exec;

    public void Validate(CniContext ctx) => For(ctx).Validate(ctx);
    public Spec.CniResult Add(CniContext ctx) => For(ctx).Add(ctx);
    public void Del(CniContext ctx) => For(ctx).Del(ctx);
    public void Check(CniContext ctx) => For(ctx).Check(ctx);
    public void Gc(CniContext ctx) => For(ctx).Gc(ctx);
    public void Status(CniContext ctx) => For(ctx).Status(ctx);
}
