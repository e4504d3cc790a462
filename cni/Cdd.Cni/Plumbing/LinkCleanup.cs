using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>DEL's way of removing a link: gone already is success, and only a link of the kind we make is touched.</summary>
internal static class LinkCleanup
{
    public static void DeleteIfPresent(Rtnetlink rtnl, string name, string kind)
    {
        var link = Kernel.Do(() => rtnl.Links.Find(name));
        if (link is null || link.Kind != kind) return;
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
