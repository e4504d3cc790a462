using static Cdd.Deploy.Tests.Problems;
using Cdd.Testing;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// Selectors, images, privileges, host paths and propagation, requests: each holds on the tree, and each mutation a
/// careless edit would make (a selector that no longer matches, an unpinned tag, Bidirectional removed, a privilege
/// added or dropped) makes the check fail.
/// </summary>
[Tier(Tier.Unit)]
public sealed class ManifestCheckTests
{
    static readonly ManifestTree Tree = ManifestTree.Load();
    static readonly ImageVersions Versions = ImageVersions.Load();

    static ManifestTree Mutate<T>(string kind, string name, Action<T> change) where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        var original = Tree.Single(kind, name);
        var copy = ManifestTree.Copy(original.As<T>());
        change(copy);
        return Tree.With(original, copy);
    }

    static V1PodSpec PodOf(V1DaemonSet d) => d.Spec.Template.Spec;

    [Fact]
    public void Every_selector_selects_its_own_pods()
    {
        AssertNone(ManifestChecks.Selectors(Tree));
        Assert.Equal(6, Workload.In(Tree).Count());
    }

    [Fact]
    public void A_selector_that_no_longer_matches_its_template_fails()
    {
        var mutated = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => d.Spec.Selector.MatchLabels["app.kubernetes.io/name"] = "ipamd");
        Assert.Contains(ManifestChecks.Selectors(mutated), p => p.Contains("cdd-ipamd: its selector does not select", StringComparison.Ordinal));
        var service = Mutate<V1Service>("Service", "cdd-operator-extender", s => s.Spec.Selector["app.kubernetes.io/name"] = "extender");
        Assert.Contains(ManifestChecks.Selectors(service), p => p.Contains("matches no workload", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_image_is_pinned_and_named_in_versions_env()
    {
        AssertNone(ManifestChecks.Images(Tree, Versions));
        var used = Workload.In(Tree).SelectMany(w => w.AllContainers).Select(c => c.Image).ToHashSet();
        Assert.Equal(Versions.Allowed.Order(), used.Order()); // nothing pinned there that no manifest uses
    }

    [Theory]
    [InlineData("registry.example.com/cddplugins/cdd-node")]
    [InlineData("registry.example.com/cddplugins/cdd-node:latest")]
    [InlineData("registry.example.com/cddplugins/cdd-node:0.2.0")]
    [InlineData("registry.k8s.io/sig-storage/csi-provisioner:v5.0.0")]
    public void An_unpinned_or_other_image_tag_fails(string image)
    {
        var mutated = Mutate<V1DaemonSet>("DaemonSet", "cdd-csi-node", d => PodOf(d).Containers[0].Image = image);
        Assert.Contains(ManifestChecks.Images(mutated, Versions), p => p.Contains(image, StringComparison.Ordinal));
    }

    [Fact]
    public void Privileged_only_where_a_node_storage_plugin_needs_it_and_everything_else_locked_down()
    {
        AssertNone(ManifestChecks.Privileges(Tree, Versions));
    }

    [Fact]
    public void A_privilege_added_or_removed_fails()
    {
        var added = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).Containers[0].SecurityContext.Privileged = true);
        Assert.Contains(ManifestChecks.Privileges(added, Versions), p => p.Contains("cdd-ipamd:cdd-ipamd: privileged", StringComparison.Ordinal));
        var caps = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).Containers[0].SecurityContext.Capabilities.Add = ["NET_ADMIN"]);
        Assert.Contains(ManifestChecks.Privileges(caps, Versions), p => p.Contains("adds capabilities NET_ADMIN", StringComparison.Ordinal));
        var dropped = Mutate<V1DaemonSet>("DaemonSet", "cdd-csi-node", d => PodOf(d).Containers[0].SecurityContext.Privileged = false);
        Assert.Contains(ManifestChecks.Privileges(dropped, Versions), p => p.Contains("cdd-csi-node:cdd-csi: must be privileged", StringComparison.Ordinal));
        var writable = Mutate<V1Deployment>("Deployment", "cdd-operator", d => d.Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem = false);
        Assert.Contains(ManifestChecks.Privileges(writable, Versions), p => p.Contains("root filesystem is writable", StringComparison.Ordinal));
        var hostNet = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).HostNetwork = false);
        Assert.Contains(ManifestChecks.Privileges(hostNet, Versions), p => p.Contains("must be on the host network", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_paths_are_the_listed_ones_and_the_kubelet_root_is_bidirectional()
    {
        AssertNone(ManifestChecks.Mounts(Tree));
    }

    [Theory]
    [InlineData("cdd-csi-node")]
    [InlineData("cdd-csi-san-node")]
    public void Bidirectional_removed_from_the_kubelet_root_fails(string daemonSet)
    {
        foreach (string? propagation in new[] { null, "HostToContainer" })
        {
            var mutated = Mutate<V1DaemonSet>("DaemonSet", daemonSet, d =>
                PodOf(d).Containers.Single(c => c.Name == "cdd-csi").VolumeMounts.Single(m => m.Name == "kubelet-dir").MountPropagation = propagation);
            Assert.Contains(ManifestChecks.Mounts(mutated), p => p.Contains($"{daemonSet}:cdd-csi: mounts the kubelet root", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_extra_or_missing_host_path_or_a_wrong_registration_path_fails()
    {
        var extra = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).Volumes.Add(new V1Volume { Name = "etc", HostPath = new V1HostPathVolumeSource { Path = "/etc" } }));
        Assert.Contains(ManifestChecks.Mounts(extra), p => p.Contains("host path /etc (volume etc) is not in the expected list", StringComparison.Ordinal));
        var missing = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).Volumes.Remove(PodOf(d).Volumes.Single(v => v.Name == "cni-bin")));
        Assert.Contains(ManifestChecks.Mounts(missing), p => p.Contains("host path /opt/cni/bin (volume cni-bin) is missing", StringComparison.Ordinal));
        var reg = Mutate<V1DaemonSet>("DaemonSet", "cdd-csi-node", d =>
            PodOf(d).Containers.Single(c => c.Name == "node-driver-registrar").Args[1] = "--kubelet-registration-path=/var/lib/kubelet/plugins/other/csi.sock");
        Assert.Contains(ManifestChecks.Mounts(reg), p => p.Contains("registers /var/lib/kubelet/plugins/other/csi.sock", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_container_requests_cpu_and_memory_and_caps_memory()
    {
        AssertNone(ManifestChecks.Resources(Tree));
        var mutated = Mutate<V1DaemonSet>("DaemonSet", "cdd-ipamd", d => PodOf(d).Containers[0].Resources = null);
        Assert.Contains(ManifestChecks.Resources(mutated), p => p.Contains("cdd-ipamd:cdd-ipamd: no CPU and memory requests", StringComparison.Ordinal));
    }
}
