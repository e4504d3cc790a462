namespace Cdd.Deploy.Tests.Manifests;

/// <summary>deploy/images/versions.env: KEY=VALUE lines, # comments.</summary>
public sealed class ImageVersions
{
    public static readonly string File = Path.Combine(Cdd.Testing.RepoRoot.Path, "deploy", "images", "versions.env");

    ImageVersions(IReadOnlyDictionary<string, string> values) => Values = values;

    public IReadOnlyDictionary<string, string> Values { get; }

    public string this[string key] => Values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"{File} has no {key}");

    public string NodeImage => $"{this["CDD_REGISTRY"]}/cdd-node:{this["CDD_VERSION"]}";
    public string OperatorImage => $"{this["CDD_REGISTRY"]}/cdd-operator:{this["CDD_VERSION"]}";

    /// <summary>Every image a manifest may name: ours and the sidecars.</summary>
    public IReadOnlySet<string> Allowed =>
        new HashSet<string>(Values.Where(kv => kv.Key.StartsWith("CSI_", StringComparison.Ordinal)).Select(kv => kv.Value)) { NodeImage, OperatorImage };

    public static ImageVersions Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in System.IO.File.ReadAllLines(File))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"{File}: \"{line}\" is not KEY=VALUE");
            values[line[..eq]] = line[(eq + 1)..];
        }
        return new ImageVersions(values);
    }

    /// <summary>Pinned: a digest, or a tag other than latest (a reference without a tag means latest).</summary>
    public static bool IsPinned(string image)
    {
        if (image.Contains("@sha256:", StringComparison.Ordinal)) return true;
        int slash = image.LastIndexOf('/');
        int colon = image.LastIndexOf(':');
        if (colon <= slash) return false;
        string tag = image[(colon + 1)..];
        return tag.Length > 0 && tag != "latest";
    }
}
