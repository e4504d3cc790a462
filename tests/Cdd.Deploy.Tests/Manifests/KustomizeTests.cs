using static Cdd.Deploy.Tests.Problems;
using Cdd.Testing;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// `kubectl kustomize` (Debian's kubernetes-client, kubectl 1.20 with kustomize 2.0, or any newer kubectl) builds the
/// tree as `kubectl apply -k deploy/manifests` would, and every object it prints loads strictly: the top level is
/// every file outside samples/, the samples' kustomization every file in it.
/// </summary>
[Tier(Tier.Unit)]
public sealed class KustomizeTests
{
    static readonly ManifestTree Files = ManifestTree.Load();

    static ManifestTree Build(string dir)
    {
        string kubectl = Environment.GetEnvironmentVariable("CDD_KUBECTL") ?? "kubectl";
        ExecResult r;
        try
        {
            r = Exec.Run(kubectl, ["kustomize", dir], timeoutMs: 60_000);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{kubectl} is missing ({e.Message}): apt-get install kubernetes-client, or set CDD_KUBECTL", e);
        }
        r.EnsureSuccess($"{kubectl} kustomize {dir}");
        return ManifestTree.FromText(r.Stdout, $"kubectl kustomize {Path.GetRelativePath(ManifestTree.Root, dir)}");
    }

    static string[] Ids(IEnumerable<ManifestObject> objects) => [.. objects.Select(o => o.Id).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_top_kustomization_applies_every_file_outside_the_samples()
    {
        var built = Build(ManifestTree.Root);
        Assert.Equal(Ids(Files.Objects.Where(o => !o.File.StartsWith("samples/", StringComparison.Ordinal))), Ids(built.Objects));
        AssertNone(ManifestChecks.Selectors(built));
    }

    [Fact]
    public void The_samples_kustomization_applies_every_sample()
    {
        var built = Build(Path.Combine(ManifestTree.Root, "samples"));
        Assert.Equal(Ids(Files.Objects.Where(o => o.File.StartsWith("samples/", StringComparison.Ordinal))), Ids(built.Objects));
    }

    [Fact]
    public void Every_folder_with_manifests_has_a_kustomization_listing_all_of_them()
    {
        foreach (var dir in Directory.EnumerateDirectories(ManifestTree.Root, "*", SearchOption.AllDirectories).Append(ManifestTree.Root))
        {
            var yaml = Directory.EnumerateFiles(dir, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").ToList();
            string k = Path.Combine(dir, "kustomization.yaml");
            Assert.True(File.Exists(k), $"{dir} has no kustomization.yaml");
            string text = File.ReadAllText(k);
            foreach (var f in yaml) Assert.True(text.Contains($"- {f}", StringComparison.Ordinal), $"{k} does not list {f}");
        }
    }
}
