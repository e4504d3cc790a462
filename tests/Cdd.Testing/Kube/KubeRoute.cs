namespace Cdd.Testing.Kube;

/// <summary>A request path split the way the API server reads it: /api/v1/... or /apis/GROUP/VERSION/..., optional namespace, name, subresource.</summary>
public sealed record KubeRoute(string Group, string Version, string Plural, string Namespace, string? Name, string? Subresource)
{
    public string Resource => $"{Group}/{Version}/{Plural}";

    public static KubeRoute? Parse(string path)
    {
        var p = path.Trim('/').Split('/');
        int i;
        string group, version;
        if (p.Length >= 3 && p[0] == "api") { group = ""; version = p[1]; i = 2; }
        else if (p.Length >= 4 && p[0] == "apis") { group = p[1]; version = p[2]; i = 3; }
        else return null;
        string ns = "";
        if (p.Length > i + 1 && p[i] == "namespaces" && p.Length >= i + 3) { ns = p[i + 1]; i += 2; }
        string plural = p[i];
        string? name = p.Length > i + 1 ? p[i + 1] : null;
        string? sub = p.Length > i + 2 ? p[i + 2] : null;
        if (p.Length > i + 3) return null;
        return new KubeRoute(group, version, plural, ns, name, sub);
    }
}
