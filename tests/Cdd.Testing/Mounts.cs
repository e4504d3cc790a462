namespace Cdd.Testing;

/// <summary>Mount table helpers for cleaning up after tools that mount (podman, runc).</summary>
public static class Mounts
{
    /// <summary>Mount points at or below <paramref name="dir"/> in this mount namespace, deepest first.</summary>
    public static List<string> Below(string dir)
    {
        string root = System.IO.Path.GetFullPath(dir).TrimEnd('/');
        var points = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // id parent major:minor root mount-point ...; octal escapes (\040) for spaces
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            string point = Unescape(fields[4]);
            if (point == root || point.StartsWith(root + "/", StringComparison.Ordinal)) points.Add(point);
        }
        return points.OrderByDescending(p => p.Length).ToList();
    }

    /// <summary>Lazily unmounts everything at or below <paramref name="dir"/>; best effort.</summary>
    public static void UnmountBelow(string dir)
    {
        foreach (var point in Below(dir))
            Exec.Run("umount", "-l", point);
    }

    static string Unescape(string s) =>
        System.Text.RegularExpressions.Regex.Replace(s, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
