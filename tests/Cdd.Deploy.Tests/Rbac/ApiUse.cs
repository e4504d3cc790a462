namespace Cdd.Deploy.Tests.Rbac;

/// <summary>One thing a component does to the API, as a rule grants it: verb on group/resource[/subresource], in a namespace ("" = cluster scope or all namespaces).</summary>
public sealed record ApiUse(string Verb, string Group, string Resource, string Namespace = "")
{
    public override string ToString() => $"{Verb} {(Group.Length == 0 ? "core" : Group)}/{Resource}{(Namespace.Length == 0 ? "" : $" in {Namespace}")}";

    public static ApiUse Of(Cdd.Testing.Kube.KubeRequest r) => new(r.Verb, r.Group, r.RuleResource, r.Namespace);
}
