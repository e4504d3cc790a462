using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// DEL's way of removing a link: gone already is success, and only a link of the kind we make that carries this
/// attachment's mark is touched. A same-named link without it is left alone, and stderr says so.
/// </summary>
internal static class LinkCleanup
{
    public static void DeleteIfPresent(Rtnetlink rtnl, string name, string kind, CniContext ctx, string where, TextWriter? log = null)
    {
        var link = Kernel.Do(() => rtnl.Links.Find(name));
        if (link is null) return;
        if (link.Kind != kind || !LinkMark.IsOurs(link, ctx))
        {
            (log ?? Console.Error).WriteLine(
                $"cdd-cni: left {link.Kind ?? "device"} link {name} in {where} alone: it does not carry the mark \"{LinkMark.For(ctx)}\" of this attachment"
                + (link.Alias is null ? "" : $" (its alias is \"{link.Alias}\")"));
            return;
        }
        try
        {
            rtnl.Links.Delete(link.Index, name);
        }
        catch (ErrnoException e) when (e.IsNotFound)
        {
            // deleted by someone else meanwhile: the outcome we wanted
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.KernelRefused, e.Message);
        }
    }
}
