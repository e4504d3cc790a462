using Cdd.Cni.Plumbing;

namespace Cdd.Cni.Ipam;

/// <summary>
/// Remembers which CNI versions an IPAM binary speaks, keyed by its path, size and mtime, so a
/// plugin that predates the config's version (Debian's host-local and 1.1.0) is asked in its own
/// version at once instead of failing, being asked VERSION and retried on every pod start.
/// A replaced binary has another size or mtime and is asked again. Best effort: an unwritable
/// state dir only costs the extra execs.
/// </summary>
internal sealed class DelegateVersionCache(string stateDir)
{
    string Dir => Path.Join(stateDir, "ipam-versions");

    public IReadOnlyList<string>? Get(string binary)
    {
        try
        {
            string file = FileFor(binary);
            if (!File.Exists(file)) return null;
            var lines = File.ReadAllLines(file);
            // line 1: the binary's identity; line 2: its versions, comma-separated
            if (lines.Length < 2 || lines[0] != Identity(binary)) return null;
            return lines[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Put(string binary, IReadOnlyList<string> versions)
    {
        try
        {
            Directory.CreateDirectory(Dir);
            string file = FileFor(binary);
            string tmp = $"{file}.{Environment.ProcessId}.tmp";
            File.WriteAllText(tmp, Identity(binary) + "\n" + string.Join(',', versions) + "\n");
            File.Move(tmp, file, overwrite: true); // atomic: concurrent readers see the old or the new file
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    string FileFor(string binary) => Path.Join(Dir, StableName.Of(Path.GetFileName(binary) + "-", binary));

    static string Identity(string binary)
    {
        var info = new FileInfo(binary);
        return $"{binary} {info.Length} {info.LastWriteTimeUtc.Ticks}";
    }
}
