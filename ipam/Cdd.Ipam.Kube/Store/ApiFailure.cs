using System.Net;
using k8s.Autorest;

namespace Cdd.Ipam.Kube.Store;

/// <summary>
/// How a call to the API server went wrong, decided by status code and exception type, never by message text.
/// Descriptions carry the status or the socket error only: no headers, so no bearer token can leak into a log.
/// </summary>
internal static class ApiFailure
{
    public static HttpStatusCode? StatusOf(Exception e) => e is HttpOperationException { Response: { } r } ? r.StatusCode : null;

    public static bool Is(Exception e, HttpStatusCode code) => StatusOf(e) == code;

    /// <summary>
    /// The request may not have reached the server, or its answer was lost: a 5xx, 429, a timeout, a refused or reset
    /// connection. The write may or may not have been applied.
    /// </summary>
    public static bool IsTransient(Exception e, CancellationToken ct) => e switch
    {
        HttpOperationException => StatusOf(e) is { } s && ((int)s >= 500 || s == HttpStatusCode.TooManyRequests || s == HttpStatusCode.RequestTimeout),
        OperationCanceledException => !ct.IsCancellationRequested, // the client's own timeout, not the caller's cancel
        HttpRequestException or IOException => true,
        System.Text.Json.JsonException => true, // a reply cut off mid-body
        _ => false,
    };

    public static string Describe(Exception e) => e switch
    {
        HttpOperationException { Response: { } r } => $"HTTP {(int)r.StatusCode} {r.StatusCode}",
        OperationCanceledException => "timed out",
        HttpRequestException h when h.InnerException is System.Net.Sockets.SocketException s => $"connection failed ({s.SocketErrorCode})",
        HttpRequestException h => h.HttpRequestError.ToString(),
        _ => e.GetType().Name,
    };
}
