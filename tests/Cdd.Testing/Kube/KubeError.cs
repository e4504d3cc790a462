using System.Text.Json.Nodes;

namespace Cdd.Testing.Kube;

/// <summary>A refusal as the API server words it: a v1 Status with the HTTP code and the reason clients switch on.</summary>
public sealed class KubeError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
        ["status"] = "Failure", ["message"] = Message, ["reason"] = Reason, ["code"] = Code,
    };

    public static KubeError NotFound(string what) => new(404, "NotFound", $"{what} not found");
    public static KubeError AlreadyExists(string what) => new(409, "AlreadyExists", $"{what} already exists");
    public static KubeError Conflict(string message) => new(409, "Conflict", message);
    public static KubeError Invalid(string message) => new(422, "Invalid", message);
}
