using Cdd.Cni.Spec;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Agent.Protocol;

/// <summary>
/// Every IPAM failure kind to the CNI code a runtime acts on: the one place that decides, for cdd-ipam on its file
/// store and for cdd-ipamd answering on its socket alike.
/// </summary>
public static class IpamFailures
{
    public static CniException ToCni(Exception ex) => ex switch
    {
        CniException cni => cni,
        StoreUnavailableException s => new CniException(CniErrorCodes.TryAgainLater, s.Message, s.InnerException?.Message),
        IpamException e => new CniException(CodeOf(e.Kind), e.Message),
        IOException or UnauthorizedAccessException => new CniException(CniErrorCodes.IoFailure, $"file store: {ex.Message}"),
        _ => new CniException(CniErrorCodes.Internal, $"internal error: {ex.GetType().FullName}: {ex.Message}"),
    };

    public static int CodeOf(IpamErrorKind kind) => kind switch
    {
        IpamErrorKind.PoolExhausted => CniErrorCodes.PoolExhausted,
        IpamErrorKind.AddressTaken => CniErrorCodes.AddressTaken,
        IpamErrorKind.AddressNotInPool => CniErrorCodes.AddressNotInPool,
        IpamErrorKind.SegmentUnreachable => CniErrorCodes.SegmentUnreachable,
        IpamErrorKind.InvalidRequest => CniErrorCodes.InvalidNetworkConfig,
        IpamErrorKind.Contended => CniErrorCodes.TryAgainLater,
        IpamErrorKind.CheckFailed => CniErrorCodes.CheckFailed,
        IpamErrorKind.NotPermitted => CniErrorCodes.NotPermitted,
        IpamErrorKind.NotAvailable => CniErrorCodes.PluginNotAvailable,
        IpamErrorKind.PodNotKnown => CniErrorCodes.TryAgainLater,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
