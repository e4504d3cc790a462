using System.Text;
using Cdd.Native.Interop;

namespace Cdd.Native;

/// <summary>
/// A path as the kernel resolves it: symbolic links followed and ".." taken against what is really on disk, never
/// textually. .NET's Path.GetFullPath (and with it Directory.CreateDirectory) folds "a/../b" to "b" even when "a"
/// does not exist, where the kernel would fail; here that is an answer, not a silent rewrite.
/// </summary>
public static unsafe class KernelPath
{
    /// <summary>
    /// The resolved path of <paramref name="path"/> (absolute): the longest existing prefix through realpath(3), with
    /// the missing rest appended. Null and <paramref name="why"/> set when the rest holds "." or ".." (it cannot be
    /// resolved on disk that is not there) or the existing prefix is not a directory.
    /// </summary>
    public static string? Resolve(string path, out string? why)
    {
        why = null;
        if (path.Contains('\0')) { why = "contains a NUL byte"; return null; }
        if (!path.StartsWith('/')) { why = "is not absolute"; return null; }
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length; i >= 0; i--)
        {
            string prefix = "/" + string.Join('/', parts[..i]);
            if (Real(prefix) is not { } real) continue;
            var rest = parts[i..];
            if (rest.Any(p => p is "." or ".."))
            {
                why = $"has \"{string.Join('/', rest)}\" after {prefix}, whose part {rest[0]} does not exist";
                return null;
            }
            if (rest.Length > 0 && !Directory.Exists(real))
            {
                why = $"goes through {real}, which is not a directory";
                return null;
            }
            return rest.Length == 0 ? real : (real == "/" ? "" : real) + "/" + string.Join('/', rest);
        }
        why = "cannot be resolved";
        return null;
    }

    static string? Real(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        byte* buf = stackalloc byte[4097];
        fixed (byte* p = bytes)
        {
            if (RealPath.realpath(p, buf) is null) return null;
        }
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(buf, new ReadOnlySpan<byte>(buf, 4097).IndexOf((byte)0)));
    }

    /// <summary>True when <paramref name="path"/> (resolved) is <paramref name="root"/> or lies below it.</summary>
    public static bool IsUnder(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);
}
