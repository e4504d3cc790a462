using System.Text;

namespace Cdd.Cni.Spec;

/// <summary>The spec's character rules for names, container ids and interface names.</summary>
internal static class CniIdentifiers
{
    /// <summary>
    /// The spec's <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>, used for both the network name and CNI_CONTAINERID.
    /// Hand-written because a regex costs start-up time on every pod start.
    /// </summary>
    public static bool IsValidName(string? s)
    {
        if (string.IsNullOrEmpty(s) || !char.IsAsciiLetterOrDigit(s[0])) return false;
        foreach (char c in s.AsSpan(1))
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')) return false;
        return true;
    }

    /// <summary>
    /// What the kernel accepts as a link name (dev_valid_name): at most IFNAMSIZ-1 = 15 bytes, not "." or "..",
    /// no '/', ':' or whitespace. Returns why not, or null when valid.
    /// </summary>
    public static string? WhyInvalidInterfaceName(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "is empty";
        if (Encoding.UTF8.GetByteCount(s) > 15) return $"\"{s}\" is longer than 15 bytes";
        if (s is "." or "..") return $"\"{s}\" is not a valid interface name";
        foreach (char c in s)
            if (c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)) return $"\"{s}\" contains '/', ':', whitespace or a control character";
        // The kernel takes '%' as a pattern ("eth%d" picks the next free number), never as the literal name asked for.
        if (s.Contains('%')) return $"\"{s}\" contains '%', which the kernel expands into another name";
        // /proc/sys/net/*/conf/all and .../default are the kernel's own entries: a link by those names is refused.
        if (s is "all" or "default") return $"\"{s}\" is reserved by the kernel (/proc/sys/net/ipv4/conf/{s})";
        return null;
    }
}
