using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;

namespace Cdd.Cni.Ipam;

/// <summary>cdd-ipam served by cdd-ipamd, asked directly over its socket: the verbs are the protocol library's.</summary>
internal sealed class AgentIpam : IIpam
{
    (CniContext Ctx, AgentSettings Settings)? _validated;

    /// <summary>Parses the ipam section once, before the mode makes any link, so a bad field is refused with nothing to undo.</summary>
    public void Validate(CniContext ctx) => _validated = (ctx, AgentSettings.Parse(ctx.Config.Ipam!.Value));

    public CniResult Add(CniContext ctx) => Verbs(ctx).Add();
    public void Del(CniContext ctx) => Verbs(ctx).Del();
    public void Check(CniContext ctx) => Verbs(ctx).Check(ctx.PrevResult ?? new CniResult());
    public void Gc(CniContext ctx) => Verbs(ctx).Gc();
    public void Status(CniContext ctx) => Verbs(ctx).Status();

    // DEL, GC and STATUS are not validated first (DEL must still remove the link of a config gone bad): parsed here, once.
    AgentVerbs Verbs(CniContext ctx)
    {
        var settings = _validated is { } v && ReferenceEquals(v.Ctx, ctx) ? v.Settings : AgentSettings.Parse(ctx.Config.Ipam!.Value);
        return new AgentVerbs(settings, ctx.Env, ctx.Config);
    }
}
