namespace Cdd.Csi.Errors;

/// <summary>The outcomes the CSI spec names; <see cref="Grpc.CallInterceptor"/> maps each to its gRPC code, in one place.</summary>
internal enum CsiFault
{
    InvalidArgument,
    OutOfRange,
    NotFound,
    AlreadyExists,
    ResourceExhausted,
    FailedPrecondition,
    /// <summary>An operation is already in flight on the same volume.</summary>
    Aborted,
    Unavailable,
}
