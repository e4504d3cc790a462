namespace Cdd.Testing.Kube;

/// <summary>One API request as an RBAC rule names it: verb (get, list, watch, create, update, patch, delete), API group, resource and subresource.</summary>
public sealed record KubeRequest(string Verb, string Group, string Resource, string? Subresource, string Namespace, string? Name)
{
    /// <summary>"resource" or "resource/subresource", the form a rule's resources list uses.</summary>
    public string RuleResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    public static KubeRequest Of(string method, KubeRoute route, bool watch) => new(method switch
    {
        "GET" when route.Name is not null => "get",
        "GET" => watch ? "watch" : "list",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when route.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    }, route.Group, route.Plural, route.Subresource, route.Namespace, route.Name);
}
