using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native;

namespace Cdd.Cni.Plumbing;

/// <summary>Opening CNI_NETNS with the spec's meaning for a missing namespace.</summary>
internal static class PodNamespace
{
    /// <summary>For ADD and CHECK: a missing namespace is "container unknown" (code 3).</summary>
    public static NetNs Open(CniContext ctx)
    {
        try
        {
            return NetNs.Open(ctx.Env.Netns);
        }
        catch (ErrnoException e) when (e.IsNotFound)
        {
            throw new CniException(CniErrorCodes.UnknownContainer, $"network namespace {ctx.Env.Netns} does not exist", e.Message);
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot open network namespace {ctx.Env.Netns}", e.Message);
        }
    }

    /// <summary>
    /// Before ADD reports success: the path must still name the namespace we configured. Our open
    /// descriptor keeps a deleted namespace alive, so without this a pod torn down mid-ADD would
    /// keep its address allocated with nobody left to call DEL.
    /// </summary>
    public static void EnsureStillThere(CniContext ctx, NetNs ns)
    {
        NetNs? now = null;
        try
        {
            now = NetNs.Open(ctx.Env.Netns);
            if (now.IsSameAs(ns)) return;
        }
        catch (ErrnoException)
        {
            // fall through: gone
        }
        finally
        {
            now?.Dispose();
        }
        throw new CniException(CniErrorCodes.UnknownContainer, $"network namespace {ctx.Env.Netns} went away during ADD; everything ADD made was undone");
    }

    /// <summary>For DEL: null when no namespace was given or it is already gone (both are fine).</summary>
    public static NetNs? TryOpen(CniContext ctx) => TryOpen(ctx.Env.Netns);

    /// <summary>The namespace at <paramref name="path"/>, or null when none is given or it is gone.</summary>
    public static NetNs? TryOpen(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        try
        {
            return NetNs.Open(path);
        }
        catch (ErrnoException e) when (e.IsNotFound || e.Errno == Errno.EINVAL)
        {
            return null;
        }
    }

    /// <summary>
    /// The name a new pod interface gets before it is renamed to CNI_IFNAME. Derived from the
    /// attachment so that a DEL after a killed ADD finds and removes a half-made link.
    /// </summary>
    public static string TemporaryName(CniContext ctx) => AttachmentName(ctx, "cddt");

    /// <summary>prefix + 8 hex digits of a hash of container ID and ifname: stable across ADD and DEL, 12 bytes.</summary>
    public static string AttachmentName(CniContext ctx, string prefix) => StableName.Of(prefix, ctx.Env.ContainerId + "/" + ctx.Env.IfName);
}
