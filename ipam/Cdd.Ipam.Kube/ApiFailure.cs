using System.Net;
using k8s.Autorest;

namespace Cdd.Ipam.Kube;

/// <summary>
/// How a call to the API server went wrong, decided by status code and exception type, never by message text. One
/// helper for everything that talks to the API server (the IPAM stores and cdd-operator), so a 409 means the same
/// everywhere. Descriptions carry the status or the socket error only: no headers, so no bearer token can leak into a log.
/// </summary>
public static class ApiFailure
{
    public static HttpStatusCode? StatusOf(Exception e) => e is HttpOperationException { Response: { } r } ? r.StatusCode : null;

    public static bool Is(Exception e, HttpStatusCode code) => StatusOf(e) == code;

    /// <summary>404: the object (or the resource type) does not exist.</summary>
    public static bool IsNotFound(Exception e) => Is(e, HttpStatusCode.NotFound);

    /// <summary>409: a create of a name that exists, or an update against a stale resourceVersion.</summary>
    public static bool IsConflict(Exception e) => Is(e, HttpStatusCode.Conflict);

    /// <summary>410: a watch or list resumed from a resourceVersion the server no longer holds.</summary>
    public static bool IsGone(Exception e) => Is(e, HttpStatusCode.Gone);

    /// <summary>403: the service account may not do this (RBAC).</summary>
    public static bool IsForbidden(Exception e) => Is(e, HttpStatusCode.Forbidden);

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
