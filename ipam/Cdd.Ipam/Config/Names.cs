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
}
