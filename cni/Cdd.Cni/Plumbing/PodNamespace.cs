using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Namespaces;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// Opening CNI_NETNS with the spec's meaning for each way it can fail. Only an nsfs file of a network namespace
/// other than our own is a pod namespace; every errno of opening it has a code, none is 100.
/// </summary>
internal static class PodNamespace
{
    /// <summary>For ADD and CHECK: a missing namespace is "container unknown" (3), a path that is no network namespace or is ours is 4.</summary>
    public static NetNs Open(CniContext ctx)
    {
        string path = ctx.Env.Netns;
        NetNs ns;
        try
        {
            ns = NetNs.Open(path);
        }
        catch (NotANetworkNamespaceException e)
        {
            throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CNI_NETNS {Quote(path)} is {e.Found}, not a network namespace");
        }
        catch (ErrnoException e) when (e.IsNotFound || e.Errno == Errno.ENOTDIR)
        {
            throw new CniException(CniErrorCodes.UnknownContainer, $"network namespace {Quote(path)} (CNI_NETNS) does not exist", e.Message);
        }
        catch (ErrnoException e) when (e.Errno is Errno.ELOOP or Errno.ENAMETOOLONG)
        {
            throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CNI_NETNS {Quote(path)} is not a usable path", e.Message);
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot open network namespace {Quote(path)} (CNI_NETNS)", e.Message);
        }
        RefuseOwn(ns, path);
        return ns;
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
            // fall through: gone, or replaced by something that is no namespace
        }
        finally
        {
            now?.Dispose();
        }
        throw new CniException(CniErrorCodes.UnknownContainer, $"network namespace {ctx.Env.Netns} went away during ADD; everything ADD made was undone");
    }

    /// <summary>
    /// For DEL: null when no namespace was given or it is gone (both are fine), which includes a path that names
    /// no network namespace any more (an unmounted bind target left behind, a directory, /dev/null). Our own
    /// namespace is refused (4): DEL never deletes links of the node.
    /// </summary>
    public static NetNs? TryOpen(CniContext ctx)
    {
        var ns = TryOpenAny(ctx.Env.Netns);
        if (ns is not null) RefuseOwn(ns, ctx.Env.Netns);
        return ns;
    }

    /// <summary>For GC: the namespace a record names, or null when it is gone, no namespace, or our own (never touched).</summary>
    public static NetNs? TryOpen(string? path)
    {
        var ns = TryOpenAny(path);
        if (ns is null || !IsOwn(ns)) return ns;
        ns.Dispose();
        return null;
    }

    static NetNs? TryOpenAny(string? path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        try
        {
            return NetNs.Open(path);
        }
        catch (ErrnoException e) when (e is NotANetworkNamespaceException || e.IsNotFound
            || e.Errno is Errno.ENOTDIR or Errno.ELOOP or Errno.ENAMETOOLONG or Errno.EINVAL)
        {
            return null;
        }
        catch (ErrnoException e)
        {
            // EACCES, EPERM, EMFILE...: the namespace may well exist; saying "gone" could leave its links behind.
            throw new CniException(CniErrorCodes.IoFailure, $"cannot open network namespace {Quote(path)} (CNI_NETNS)", e.Message);
        }
    }

    static void RefuseOwn(NetNs ns, string path)
    {
        if (!IsOwn(ns)) return;
        ns.Dispose();
        throw new CniException(CniErrorCodes.InvalidEnvironmentVariables,
            $"CNI_NETNS {Quote(path)} is the plugin's own network namespace (the node's): a pod never shares the node's namespace through cdd-cni");
    }

    static bool IsOwn(NetNs ns)
    {
        try
        {
            return ns.IsProcessNamespace();
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.IoFailure, "cannot read the plugin's own network namespace from /proc/self/ns/net", e.Message);
        }
    }

    /// <summary>The path as it can be printed: control characters escaped so an error never carries a raw NUL or newline.</summary>
    static string Quote(string? path)
    {
        if (path is null) return "\"\"";
        var sb = new System.Text.StringBuilder(path.Length + 2).Append('"');
        foreach (char c in path)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// The name a new pod interface gets before it is renamed to CNI_IFNAME. Derived from the
    /// attachment so that a DEL after a killed ADD finds and removes a half-made link.
    /// </summary>
    public static string TemporaryName(CniContext ctx) => AttachmentName(ctx, "cddt");

    /// <summary>prefix + 8 hex digits of a hash of container ID and ifname: stable across ADD and DEL, 12 bytes.</summary>
    public static string AttachmentName(CniContext ctx, string prefix) => StableName.Of(prefix, ctx.Env.ContainerId + "/" + ctx.Env.IfName);
}
