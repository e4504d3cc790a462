using System.Text.Json;

namespace Cdd.Cni;

/// <summary>
/// `cdd-cni install`: what the node DaemonSet's init container runs. Copies this binary (and a
/// cdd-ipam beside it, if any) into the runtime's CNI bin directory and, when given, a conflist
/// into its config directory. Each file is written under a temporary name and renamed into
/// place, so a runtime exec'ing the plugin meanwhile sees the old file or the new one, never half;
/// a file that already holds the same bytes is left alone. The directories must exist (they are the
/// host's, mounted in): a missing one is reported, never created inside the container.
/// </summary>
internal static class Installer
{
    static readonly string[] Companions = ["cdd-ipam"];

    public static int Run(string binDir, string? confDir, string? conflist, TextWriter output, TextWriter error)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where this binary is");
        string? conf = null;
        if (conflist is not null)
        {
            if (confDir is null)
            {
                error.WriteLine("cdd-cni install: --conflist needs --conf-dir");
                return 2;
            }
            if (Problem(conflist) is { } why)
            {
                error.WriteLine($"cdd-cni install: {conflist}: {why}; nothing installed");
                return 2;
            }
            conf = conflist;
        }

        // The directories are the host's, mounted into the init container (hostPath DirectoryOrCreate): one that is
        // missing is a mount that is missing, and creating it would install into the container's own filesystem.
        foreach (var (dir, what) in new[] { (binDir, "--bin-dir"), (conf is null ? null : confDir, "--conf-dir") })
            if (dir is not null && !Directory.Exists(dir))
            {
                error.WriteLine($"cdd-cni install: {what} {dir} does not exist: is the host's directory mounted there? nothing installed");
                return 2;
            }
        Report(output, Place(self, Path.Join(binDir, "cdd-cni"), executable: true), Path.Join(binDir, "cdd-cni"));
        foreach (var name in Companions)
        {
            string beside = Path.Join(Path.GetDirectoryName(self)!, name);
            if (!File.Exists(beside)) continue;
            Report(output, Place(beside, Path.Join(binDir, name), executable: true), Path.Join(binDir, name));
        }
        if (conf is not null)
        {
            string target = Path.Join(confDir, Path.GetFileName(conf));
            Report(output, Place(conf, target, executable: false), target);
        }
        return 0;
    }

    /// <summary>Why a conflist must not be installed: a runtime would skip or choke on it.</summary>
    static string? Problem(string path)
    {
        if (!File.Exists(path)) return "no such file";
        if (Path.GetExtension(path) is not (".conflist" or ".conf" or ".json")) return "the runtime only reads .conflist, .conf and .json files";
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
            foreach (var field in new[] { "cniVersion", "name" })
                if (!root.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.String || v.GetString() is "")
                    return $"\"{field}\" is missing";
            bool list = root.TryGetProperty("plugins", out var plugins);
            if (list && (plugins.ValueKind != JsonValueKind.Array || plugins.GetArrayLength() == 0)) return "\"plugins\" must be a non-empty array";
            if (!list && !root.TryGetProperty("type", out _)) return "neither \"plugins\" nor \"type\"";
        }
        catch (JsonException e)
        {
            return $"not valid JSON ({e.Message})";
        }
        return null;
    }

    static void Report(TextWriter output, bool written, string target) => output.WriteLine(written ? $"installed {target}" : $"unchanged {target}");

    /// <summary>Writes <paramref name="target"/> unless it already holds the same bytes and mode (a restart of the init container rewrites nothing).</summary>
    static bool Place(string source, string target, bool executable)
    {
        var mode = executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (Same(source, target) && File.GetUnixFileMode(target) == mode) return false;
        string tmp = $"{target}.cdd-install-{Environment.ProcessId}";
        try
        {
            File.Copy(source, tmp, overwrite: true);
            File.SetUnixFileMode(tmp, mode);
            File.Move(tmp, target, overwrite: true); // rename(2): atomic within the directory
            return true;
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    static bool Same(string a, string b)
    {
        if (!File.Exists(b) || new FileInfo(a).Length != new FileInfo(b).Length) return false;
        using var fa = File.OpenRead(a);
        using var fb = File.OpenRead(b);
        var ba = new byte[81920];
        var bb = new byte[81920];
        int n;
        while ((n = fa.ReadAtLeast(ba, ba.Length, throwOnEndOfStream: false)) > 0)
            if (fb.ReadAtLeast(bb, n, throwOnEndOfStream: false) != n || !ba.AsSpan(0, n).SequenceEqual(bb.AsSpan(0, n))) return false;
        return true;
    }
}
