namespace Cdd.Ipam.Config;

/// <summary>Pool and segment names end up in file names and Kubernetes object names, so they follow RFC 1123 labels.</summary>
public static class Names
{
    public const string DnsLabelRule = "must be 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

    public static bool IsDnsLabel(string? s)
    {
        if (string.IsNullOrEmpty(s) || s.Length > 63) return false;
        if (s[0] == '-' || s[^1] == '-') return false;
        foreach (char c in s)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        return true;
    }

    /// <summary>A label key: an optional DNS-subdomain prefix and '/', then a name of up to 63 characters.</summary>
    public static bool IsLabelKey(string? s)
    {
        if (string.IsNullOrEmpty(s)) return false;
        int slash = s.IndexOf('/');
        if (slash >= 0)
        {
            string prefix = s[..slash];
            if (prefix.Length is 0 or > 253 || !prefix.Split('.').All(IsDnsLabel)) return false;
            s = s[(slash + 1)..];
        }
        return s.Length > 0 && IsLabelValue(s);
    }

    /// <summary>A label value: empty, or up to 63 of [A-Za-z0-9-_.] starting and ending alphanumeric.</summary>
    public static bool IsLabelValue(string s)
    {
        if (s.Length == 0) return true;
        if (s.Length > 63 || !char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1])) return false;
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return false;
        return true;
    }
}
