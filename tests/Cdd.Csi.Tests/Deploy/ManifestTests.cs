using Cdd.Csi.Validation;
using Cdd.Testing;

namespace Cdd.Csi.Tests.Deploy;

/// <summary>The shipped manifests ask only for what the driver accepts: StorageClass parameters and mount options pass its own validation.</summary>
[Tier(Tier.Unit)]
public class ManifestTests
{
    static readonly string Dir = Path.Combine(RepoRoot.Path, "deploy/manifests/csi");

    /// <summary>The indented "key: value" lines under each top-level <paramref name="section"/>: (one block per YAML document).</summary>
    static List<List<(string Key, string Value)>> Blocks(string file, string section)
    {
        var blocks = new List<List<(string, string)>>();
        List<(string, string)>? current = null;
        foreach (var line in File.ReadLines(Path.Combine(Dir, file)))
        {
            if (line == section + ":") blocks.Add(current = []);
            else if (current is not null && line.StartsWith("  ", StringComparison.Ordinal))
            {
                string item = line.Trim();
                if (item.StartsWith("- ", StringComparison.Ordinal)) current.Add((item[2..], ""));
                else if (item.IndexOf(": ", StringComparison.Ordinal) is int colon and > 0) current.Add((item[..colon], item[(colon + 2)..].Trim('"')));
            }
            else current = null;
        }
        return blocks;
    }

    [Fact]
    public void Storage_class_parameters_and_mount_options_pass_the_drivers_validation()
    {
        string args = File.ReadAllText(Path.Combine(Dir, "node-daemonset.yaml"));
        string vgs = args[(args.IndexOf("--volume-groups=", StringComparison.Ordinal) + "--volume-groups=".Length)..].Split('\n')[0].Trim();
        var options = new DriverOptions { NodeId = "n", VolumeGroups = vgs.Split(',') };
        var classes = Blocks("storageclass.yaml", "parameters");
        Assert.Equal(2, classes.Count);
        foreach (var p in classes) VolumeParameters.Parse(p.ToDictionary(kv => kv.Key, kv => kv.Value), options);
        foreach (var m in Blocks("storageclass.yaml", "mountOptions")) MountOptions.Parse(m.Select(kv => kv.Key));
    }

    [Fact]
    public void Csi_driver_and_classes_name_the_driver_the_plugin_reports()
    {
        foreach (var file in new[] { "csidriver.yaml", "storageclass.yaml", "../samples/volumesnapshotclass.yaml" })
            Assert.Contains(DriverOptions.DriverName, File.ReadAllText(Path.Combine(Dir, file)));
        Assert.Contains($"plugins/{DriverOptions.DriverName}/csi.sock", File.ReadAllText(Path.Combine(Dir, "node-daemonset.yaml")));
    }

    [Fact]
    public void San_class_parameters_pass_the_san_validation_and_its_driver_requires_attach()
    {
        var classes = Blocks("san-storageclass.yaml", "parameters");
        Assert.NotEmpty(classes);
        foreach (var p in classes) Cdd.Csi.San.SanParameters.Parse(p.ToDictionary(kv => kv.Key, kv => kv.Value), ["lio", "pool"]);
        string driver = File.ReadAllText(Path.Combine(Dir, "san-csidriver.yaml"));
        Assert.Contains("name: " + DriverOptions.SanDriverName, driver);
        Assert.Contains("attachRequired: true", driver);
        Assert.Contains("provisioner: " + DriverOptions.SanDriverName, File.ReadAllText(Path.Combine(Dir, "san-storageclass.yaml")));
    }

    [Fact]
    public void San_controller_runs_controller_mode_with_provisioner_attacher_and_resizer_each_leader_elected()
    {
        string deployment = File.ReadAllText(Path.Combine(Dir, "san-controller.yaml"));
        Assert.Contains("- --controller", deployment);
        Assert.Contains("--driver-name=" + DriverOptions.SanDriverName, deployment);
        foreach (var sidecar in new[] { "csi-provisioner", "csi-attacher", "csi-resizer" }) Assert.Contains($"sig-storage/{sidecar}:", deployment);
        Assert.Equal(3, deployment.Split("--leader-election=true").Length - 1);
        Assert.Contains($"plugins/{DriverOptions.SanDriverName}/csi.sock", File.ReadAllText(Path.Combine(Dir, "san-node-daemonset.yaml")));
    }
}
