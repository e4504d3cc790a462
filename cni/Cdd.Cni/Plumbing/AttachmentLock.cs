using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// One attachment (container ID + CNI_IFNAME) is worked on by one verb at a time on a node: a DEL that arrives
/// while the ADD of the same attachment still runs waits for it, so it releases what that ADD claimed. The lock
/// is inherited by the delegated IPAM process, so an ADD that was SIGKILLed still holds it until its IPAM child
/// is gone too, and the DEL that follows sees the child's claim.
/// </summary>
internal static class AttachmentLock
{
    /// <summary>Longer than an IPAM call may take (30 s by default) plus the link work around it.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static FileLock Take(CniContext ctx)
    {
        string path = Path.Combine(ctx.StateDir, "locks", PodNamespace.AttachmentName(ctx, "att-") + ".lock");
        try
        {
            return FileLock.Acquire(path, Timeout, inheritable: true);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ETIMEDOUT)
        {
            throw new CniException(CniErrorCodes.TryAgainLater,
                $"another {ctx.Env.Command.ToVerb()} or ADD of container {ctx.Env.ContainerId} interface {ctx.Env.IfName} has run for {Timeout.TotalSeconds} s", e.Message);
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot take the attachment lock in {ctx.StateDir}", e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot create the lock folder in {ctx.StateDir}", e.Message);
        }
    }
}
