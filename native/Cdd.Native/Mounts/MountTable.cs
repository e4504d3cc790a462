namespace Cdd.Native.Mounts;

/// <summary>One line of /proc/self/mountinfo: the device numbers, the mount point and the filesystem.</summary>
public sealed record MountEntry(int Major, int Minor, string Root, string MountPoint, string Options, string FsType, string Source);

/// <summary>Reads mountinfo (proc(5)); the path is a parameter so tests can parse a fake file.</summary>
public static class MountTable
{
    public const string Self = "/proc/self/mountinfo";

    public static List<MountEntry> Read(string path = Self)
    {
        var entries = new List<MountEntry>();
        foreach (var line in File.ReadLines(path))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            var f = line.Split(' ');
            int dash = Array.IndexOf(f, "-", 6);
            if (f.Length < 10 || dash < 0 || dash + 2 >= f.Length) continue;
            var mm = f[2].Split(':');
            entries.Add(new MountEntry(int.Parse(mm[0]), int.Parse(mm[1]), Unescape(f[3]), Unescape(f[4]), f[5], f[dash + 1], Unescape(f[dash + 2])));
        }
        return entries;
    }

    /// <summary>The topmost mount at exactly <paramref name="mountPoint"/>, or null.</summary>
    public static MountEntry? At(string mountPoint, string path = Self)
    {
        string want = Path.TrimEndingDirectorySeparator(mountPoint);
        return Read(path).LastOrDefault(e => e.MountPoint == want);
    }

    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    static bool IsOctal(char c) => c is >= '0' and <= '7';
}
