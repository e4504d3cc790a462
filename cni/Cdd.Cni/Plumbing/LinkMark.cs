using Cdd.Cni.Contracts;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// The mark on every link cdd-cni makes: its alias (IFLA_IFALIAS, which the kernel keeps for the link's life)
/// names the attachment. DEL deletes a link only when it carries the mark of its own attachment, so a same-named
/// link somebody else made is never touched. The kernel ignores an alias in a create request, so there is a moment
/// between create and mark; in it the link still has the attachment's derived name (cddt…, cddv…), which only
/// this attachment's ADD ever gives a link, and that name counts as the mark until the alias is set.
/// </summary>
internal static class LinkMark
{
    const string Prefix = "cdd-cni ";

    /// <summary>"cdd-cni CONTAINERID/IFNAME"; an attachment too long for the kernel's 255 bytes is named by a hash.</summary>
    public static string For(CniContext ctx)
    {
        string text = Prefix + ctx.Env.ContainerId + "/" + ctx.Env.IfName;
        return System.Text.Encoding.UTF8.GetByteCount(text) <= 255 ? text : StableName.Of(Prefix + "#", ctx.Env.ContainerId + "/" + ctx.Env.IfName);
    }

    public static void Apply(Rtnetlink rtnl, Link link, CniContext ctx) =>
        Kernel.Do(() => rtnl.Links.SetAlias(link.Index, For(ctx), link.Name));

    /// <summary>True when the link is this attachment's: marked with it, or still under a name derived from it.</summary>
    public static bool IsOurs(Link link, CniContext ctx) =>
        link.Alias == For(ctx) || (link.Alias is null && DerivedNames(ctx).Contains(link.Name));

    static string[] DerivedNames(CniContext ctx) =>
        [PodNamespace.TemporaryName(ctx), PodNamespace.AttachmentName(ctx, "cddv")];
}
