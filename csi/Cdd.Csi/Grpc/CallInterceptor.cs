using System.Diagnostics;
using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Cdd.Native;
using global::Grpc.Core;
using global::Grpc.Core.Interceptors;
using Google.Protobuf;

namespace Cdd.Csi.Grpc;

/// <summary>
/// Every call passes here: validate the request, log it with secrets stripped, run it, and map domain errors
/// to the gRPC codes the CSI spec names. This is the only place that chooses status codes.
/// </summary>
internal sealed class CallInterceptor(RequestValidator validator, ILogger<CallInterceptor> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, global::Grpc.Core.UnaryServerMethod<TRequest, TResponse> continuation)
    {
        string method = context.Method;
        var clock = Stopwatch.StartNew();
        if (log.IsEnabled(LogLevel.Information) && request is IMessage m)
            log.LogInformation("csi.call {Method} {Request}", method, SecretStripper.Strip(m).ToString());
        try
        {
            validator.Validate(request);
            var response = await continuation(request, context);
            log.LogInformation("csi.ok {Method} {Ms} ms", method, clock.ElapsedMilliseconds);
            return response;
        }
        catch (Exception e) when (e is not RpcException)
        {
            var status = Map(e);
            if (status.StatusCode == StatusCode.Internal) log.LogError(e, "csi.error {Method} {Code}", method, status.StatusCode);
            else log.LogWarning("csi.fail {Method} {Code} {Detail}", method, status.StatusCode, status.Detail);
            throw new RpcException(status);
        }
    }

    public static Status Map(Exception e) => e switch
    {
        CsiException c => new Status(c.Fault switch
        {
            CsiFault.InvalidArgument => StatusCode.InvalidArgument,
            CsiFault.OutOfRange => StatusCode.OutOfRange,
            CsiFault.NotFound => StatusCode.NotFound,
            CsiFault.AlreadyExists => StatusCode.AlreadyExists,
            CsiFault.ResourceExhausted => StatusCode.ResourceExhausted,
            CsiFault.FailedPrecondition => StatusCode.FailedPrecondition,
            CsiFault.Aborted => StatusCode.Aborted,
            CsiFault.Unavailable => StatusCode.Unavailable,
            _ => StatusCode.Internal,
        }, c.Message),
        ErrnoException { Errno: Errno.EBUSY } x => new Status(StatusCode.FailedPrecondition, x.Message),
        ToolException t => new Status(StatusCode.Internal, t.Message),
        // Not final for the sidecars: the killed tool may have done part of its work, and the retry finds it.
        ToolTimeoutException t => new Status(StatusCode.DeadlineExceeded, t.Message),
        _ => new Status(StatusCode.Internal, e.Message),
    };
}
