using Cdd.Deploy.Tests.Manifests;
using k8s.Models;

namespace Cdd.Deploy.Tests.Rbac;

/// <summary>
/// What a ServiceAccount may do according to the tree: the rules of every ClusterRole and Role bound to it, split into
/// single (verb, group, resource) grants; a Role's grants hold in its namespace only. Wildcards are refused outright.
/// </summary>
public sealed class RoleGrants
{
    public sealed record Grant(string Verb, string Group, string Resource, string? Namespace, string Role)
    {
        public bool Covers(ApiUse use) =>
            Verb == use.Verb && Group == use.Group && Resource == use.Resource && (Namespace is null || Namespace == use.Namespace);

        public override string ToString() => $"{Verb} {(Group.Length == 0 ? "core" : Group)}/{Resource} ({Role})";
    }

    RoleGrants(IReadOnlyList<Grant> grants, IReadOnlyList<string> problems)
    {
        Grants = grants;
        Problems = problems;
    }

    public IReadOnlyList<Grant> Grants { get; }
    public IReadOnlyList<string> Problems { get; }

    public static RoleGrants For(ManifestTree tree, string ns, string serviceAccount)
    {
        var grants = new List<Grant>();
        var problems = new List<string>();
        bool Subject(IList<Rbacv1Subject>? subjects) =>
            subjects?.Any(s => s.Kind == "ServiceAccount" && s.Name == serviceAccount && s.NamespaceProperty == ns) == true;
        void Add(IList<V1PolicyRule>? rules, string? scope, string role)
        {
            foreach (var r in rules ?? [])
                foreach (var g in r.ApiGroups ?? [])
                    foreach (var res in r.Resources ?? [])
                        foreach (var v in r.Verbs ?? [])
                        {
                            if (g == "*" || res == "*" || v == "*") problems.Add($"{role}: wildcard rule ({g}/{res} {v})");
                            if (r.ResourceNames is { Count: > 0 }) problems.Add($"{role}: resourceNames are not modelled here");
                            grants.Add(new Grant(v, g, res, scope, role));
                        }
        }
        foreach (var o in tree.OfKind("ClusterRoleBinding"))
        {
            var b = o.As<V1ClusterRoleBinding>();
            if (!Subject(b.Subjects)) continue;
            var role = tree.Objects.SingleOrDefault(x => x.Kind == b.RoleRef.Kind && x.Name == b.RoleRef.Name);
            if (role is null) problems.Add($"{o.Id}: binds {b.RoleRef.Kind} {b.RoleRef.Name}, which the tree does not have");
            else Add(role.As<V1ClusterRole>().Rules, null, role.Id);
        }
        foreach (var o in tree.OfKind("RoleBinding"))
        {
            var b = o.As<V1RoleBinding>();
            if (!Subject(b.Subjects)) continue;
            var role = tree.Objects.SingleOrDefault(x => x.Kind == b.RoleRef.Kind && x.Name == b.RoleRef.Name && (x.Kind == "ClusterRole" || x.Namespace == o.Namespace));
            if (role is null) problems.Add($"{o.Id}: binds {b.RoleRef.Kind} {b.RoleRef.Name}, which the tree does not have");
            else Add(role.Object is V1Role r ? r.Rules : role.As<V1ClusterRole>().Rules, o.Namespace, role.Id);
        }
        return new RoleGrants(grants, problems);
    }

    /// <summary>The grants of one role alone (a service account that also carries sidecars' roles).</summary>
    public RoleGrants Only(string role) => new([.. Grants.Where(g => g.Role == role)], Problems);

    /// <summary>Both ways: what the component uses that no grant covers, and each grant no use needs.</summary>
    public List<string> Diff(IEnumerable<ApiUse> uses)
    {
        var problems = new List<string>(Problems);
        var list = uses.Distinct().ToList();
        foreach (var u in list.Where(u => !Grants.Any(g => g.Covers(u))).OrderBy(u => u.ToString(), StringComparer.Ordinal))
            problems.Add($"missing: the component does {u}, which its role does not grant");
        foreach (var g in Grants.Where(g => !list.Any(g.Covers)).DistinctBy(g => g.ToString()))
            problems.Add($"unused: {g} grants what the component never does");
        return problems;
    }

    /// <summary>A copy of the tree with one verb taken out of (or put into) one rule of one role, for the mutation tests.</summary>
    public static ManifestTree WithVerb(ManifestTree tree, string clusterRole, string resource, string verb, bool present)
    {
        var original = tree.Single("ClusterRole", clusterRole);
        var copy = ManifestTree.Copy(original.As<V1ClusterRole>());
        var rule = copy.Rules.First(r => r.Resources.Contains(resource));
        if (present) rule.Verbs.Add(verb);
        else if (!rule.Verbs.Remove(verb)) throw new InvalidOperationException($"{clusterRole} does not grant {verb} on {resource}");
        return tree.With(original, copy);
    }
}
