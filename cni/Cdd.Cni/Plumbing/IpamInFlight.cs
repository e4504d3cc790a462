using System.Runtime.ExceptionServices;
using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// IPAM ADD running beside the link work. An exec'd IPAM plugin costs several milliseconds of
/// process start-up that need not wait for the interface to exist; only the addresses do.
/// </summary>
internal sealed class IpamInFlight
{
    readonly CniContext _ctx;
    readonly Thread _thread;
    CniResult? _result;
    ExceptionDispatchInfo? _error;

    IpamInFlight(CniContext ctx)
    {
        _ctx = ctx;
        _thread = new Thread(Run, 256 * 1024) { IsBackground = true, Name = "ipam-add" };
    }

    public static IpamInFlight Start(CniContext ctx)
    {
        var call = new IpamInFlight(ctx);
        call._thread.Start();
        return call;
    }

    void Run()
    {
        try
        {
            _result = _ctx.Ipam.Add(_ctx);
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>The IPAM result, or its error rethrown.</summary>
    public CniResult Wait()
    {
        _thread.Join();
        _error?.Throw();
        return _result!;
    }

    /// <summary>Rollback: waits for the call to end, then releases what it allocated (a failed ADD allocated nothing).</summary>
    public void Release()
    {
        _thread.Join();
        if (_result is not null) _ctx.Ipam.Del(_ctx);
    }
}
