using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// The properties of the tree that matter, each a function from the tree to its problems (empty: holds), so a test
/// asserts none on the real tree and at least one on a copy mutated in memory.
/// </summary>
public static class ManifestChecks
{
    /// <summary>The containers that run privileged, and why (a node storage plugin mounts, logs in to targets, writes configfs).</summary>
    public static readonly IReadOnlySet<string> Privileged = new HashSet<string>(StringComparer.Ordinal)
    {
        "DaemonSet/cdd-system/cdd-csi-node:cdd-csi",
        "DaemonSet/cdd-system/cdd-csi-san-node:cdd-csi",
        "Deployment/cdd-system/cdd-csi-san-controller:cdd-csi",
    };

    /// <summary>The pods on the host's network: the agent (pods' networks come from it) and the SAN node (iscsid's abstract socket).</summary>
    public static readonly IReadOnlySet<string> HostNetwork = new HashSet<string>(StringComparer.Ordinal)
    {
        "DaemonSet/cdd-system/cdd-ipamd",
        "DaemonSet/cdd-system/cdd-csi-san-node",
    };

    /// <summary>Every host path each workload mounts (volume name = host path), nothing more.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> HostPaths = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["DaemonSet/cdd-system/cdd-ipamd"] = new Dictionary<string, string> { ["cni-bin"] = "/opt/cni/bin", ["run-cdd"] = "/run/cdd" },
        ["DaemonSet/cdd-system/cdd-csi-node"] = new Dictionary<string, string>
        {
            ["socket-dir"] = "/var/lib/kubelet/plugins/lvm.cdd.io", ["registration-dir"] = "/var/lib/kubelet/plugins_registry",
            ["kubelet-dir"] = "/var/lib/kubelet", ["dev"] = "/dev", ["sys"] = "/sys",
            ["lvm-run"] = "/run/lvm", ["lvm-lock"] = "/run/lock/lvm", ["lvm-etc"] = "/etc/lvm",
        },
        ["DaemonSet/cdd-system/cdd-csi-san-node"] = new Dictionary<string, string>
        {
            ["socket-dir"] = "/var/lib/kubelet/plugins/san.cdd.io", ["registration-dir"] = "/var/lib/kubelet/plugins_registry",
            ["kubelet-dir"] = "/var/lib/kubelet", ["dev"] = "/dev", ["sys"] = "/sys", ["iscsi-etc"] = "/etc/iscsi",
            ["multipath-etc"] = "/etc/multipath", ["multipath-conf"] = "/etc/multipath.conf", ["state"] = "/var/lib/cdd-csi", ["run-lock"] = "/run/lock",
        },
        ["Deployment/cdd-system/cdd-csi-san-controller"] = new Dictionary<string, string>
        {
            ["configfs"] = "/sys/kernel/config", ["dev"] = "/dev", ["lvm-run"] = "/run/lvm", ["lvm-lock"] = "/run/lock/lvm", ["lvm-etc"] = "/etc/lvm",
        },
    };

    const string KubeletRoot = "/var/lib/kubelet";

    static string Key(Workload w, V1Container c) => $"{w.Id}:{c.Name}";

    /// <summary>Each workload's selector selects its own pod template, and each Service selects some workload's pods.</summary>
    public static List<string> Selectors(ManifestTree tree)
    {
        var problems = new List<string>();
        var workloads = Workload.In(tree).ToList();
        foreach (var w in workloads)
            if (!LabelMatch.Selects(w.Selector, w.Template.Metadata?.Labels))
                problems.Add($"{w.Id}: its selector does not select its pod template's labels");
        foreach (var o in tree.OfKind("Service"))
        {
            var s = o.As<V1Service>();
            if (!workloads.Any(w => w.Source.Namespace == o.Namespace && LabelMatch.Selects(s.Spec.Selector, w.Template.Metadata?.Labels)))
                problems.Add($"{o.Id}: its selector matches no workload's pods");
        }
        foreach (var w in workloads)
            foreach (var term in w.Pod.Affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
                if (!LabelMatch.Selects(term.PodAffinityTerm.LabelSelector, w.Template.Metadata?.Labels))
                    problems.Add($"{w.Id}: its pod anti-affinity does not select its own pods (replicas would not spread)");
        return problems;
    }

    /// <summary>Every image pinned (a tag other than latest, or a digest) and one of those deploy/images/versions.env names.</summary>
    public static List<string> Images(ManifestTree tree, ImageVersions versions)
    {
        var problems = new List<string>();
        foreach (var (key, image) in versions.Values.Where(kv => kv.Key.EndsWith("_IMAGE", StringComparison.Ordinal) || kv.Key.StartsWith("CSI_", StringComparison.Ordinal)))
            if (!ImageVersions.IsPinned(image)) problems.Add($"{ImageVersions.File}: {key}={image} is not pinned");
        foreach (var w in Workload.In(tree))
            foreach (var c in w.AllContainers)
            {
                if (!ImageVersions.IsPinned(c.Image)) problems.Add($"{Key(w, c)}: image {c.Image} is not pinned to a tag or digest");
                else if (!versions.Allowed.Contains(c.Image)) problems.Add($"{Key(w, c)}: image {c.Image} is not one deploy/images/versions.env names");
                if (c.ImagePullPolicy is "Always") problems.Add($"{Key(w, c)}: imagePullPolicy Always with a pinned tag");
            }
        return problems;
    }

    /// <summary>Privileged exactly where <see cref="Privileged"/> says; every other container of ours without capabilities, escalation or a writable root.</summary>
    public static List<string> Privileges(ManifestTree tree, ImageVersions versions)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var hostNet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in Workload.In(tree))
        {
            if (w.Pod.HostNetwork == true) hostNet.Add(w.Id);
            if (w.Pod.HostPID == true || w.Pod.HostIPC == true) problems.Add($"{w.Id}: hostPID/hostIPC");
            foreach (var c in w.AllContainers)
            {
                var sc = c.SecurityContext;
                if (sc?.Privileged == true)
                {
                    seen.Add(Key(w, c));
                    continue;
                }
                if (sc?.Capabilities?.Add is { Count: > 0 } add) problems.Add($"{Key(w, c)}: adds capabilities {string.Join(",", add)}");
                bool ours = c.Image == versions.NodeImage || c.Image == versions.OperatorImage;
                if (!ours) continue;
                if (sc?.Capabilities?.Drop?.Contains("ALL") != true) problems.Add($"{Key(w, c)}: does not drop ALL capabilities");
                if (sc?.AllowPrivilegeEscalation != false) problems.Add($"{Key(w, c)}: allowPrivilegeEscalation is not false");
                if (sc?.ReadOnlyRootFilesystem != true) problems.Add($"{Key(w, c)}: root filesystem is writable");
            }
        }
        foreach (var k in seen.Except(Privileged)) problems.Add($"{k}: privileged, and nothing says it must be");
        foreach (var k in Privileged.Except(seen)) problems.Add($"{k}: must be privileged (mounts, device nodes, configfs) but is not, or is gone");
        foreach (var k in hostNet.Except(HostNetwork)) problems.Add($"{k}: on the host network, and nothing says it must be");
        foreach (var k in HostNetwork.Except(hostNet)) problems.Add($"{k}: must be on the host network but is not, or is gone");
        return problems;
    }

    /// <summary>
    /// Host paths exactly as <see cref="HostPaths"/> lists them; a mount of the kubelet root is Bidirectional (mounts made
    /// under it must reach kubelet and the pods) and only in a privileged container (the API server requires it);
    /// the registrar registers the socket in the socket directory's host path.
    /// </summary>
    public static List<string> Mounts(ManifestTree tree)
    {
        var problems = new List<string>();
        var workloads = Workload.In(tree).ToList();
        foreach (var w in workloads)
        {
            var host = (w.Pod.Volumes ?? []).Where(v => v.HostPath is not null).ToDictionary(v => v.Name, v => v.HostPath.Path);
            var expected = HostPaths.TryGetValue(w.Id, out var e) ? e : new Dictionary<string, string>();
            foreach (var (name, path) in host)
                if (!expected.TryGetValue(name, out var want)) problems.Add($"{w.Id}: host path {path} (volume {name}) is not in the expected list");
                else if (want != path) problems.Add($"{w.Id}: volume {name} is host path {path}, expected {want}");
            foreach (var (name, path) in expected)
                if (!host.ContainsKey(name)) problems.Add($"{w.Id}: host path {path} (volume {name}) is missing");
            foreach (var c in w.AllContainers)
                foreach (var m in c.VolumeMounts ?? [])
                {
                    if (!host.TryGetValue(m.Name, out var path))
                    {
                        if (!(w.Pod.Volumes ?? []).Any(v => v.Name == m.Name)) problems.Add($"{Key(w, c)}: mounts volume {m.Name}, which the pod does not have");
                        continue;
                    }
                    if (path == KubeletRoot && m.MountPropagation != "Bidirectional")
                        problems.Add($"{Key(w, c)}: mounts the kubelet root {path} with propagation {m.MountPropagation ?? "None"}, not Bidirectional: its mounts would not reach the pods");
                    if (m.MountPropagation == "Bidirectional" && c.SecurityContext?.Privileged != true)
                        problems.Add($"{Key(w, c)}: Bidirectional propagation needs a privileged container");
                }
            foreach (var c in w.AllContainers.Where(c => c.Name == "node-driver-registrar"))
            {
                string? reg = (c.Args ?? []).Select(a => a.StartsWith("--kubelet-registration-path=", StringComparison.Ordinal) ? a[28..] : null).OfType<string>().FirstOrDefault();
                string want = Path.Combine(host.GetValueOrDefault("socket-dir", "?"), "csi.sock");
                if (reg != want) problems.Add($"{Key(w, c)}: registers {reg ?? "(none)"}, but the socket is at {want} on the host");
            }
        }
        foreach (var id in HostPaths.Keys.Except(workloads.Select(w => w.Id))) problems.Add($"{id}: expected workload is missing");
        return problems;
    }

    /// <summary>Every container asks for CPU and memory, and caps memory: the scheduler places node agents by their requests.</summary>
    public static List<string> Resources(ManifestTree tree)
    {
        var problems = new List<string>();
        foreach (var w in Workload.In(tree))
            foreach (var c in w.AllContainers)
            {
                var r = c.Resources;
                if (r?.Requests is null || !r.Requests.ContainsKey("cpu") || !r.Requests.ContainsKey("memory")) problems.Add($"{Key(w, c)}: no CPU and memory requests");
                if (r?.Limits is null || !r.Limits.ContainsKey("memory")) problems.Add($"{Key(w, c)}: no memory limit");
            }
        return problems;
    }
}
