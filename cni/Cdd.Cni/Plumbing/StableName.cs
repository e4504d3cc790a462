namespace Cdd.Cni.Plumbing;

/// <summary>
/// Short names derived from an attachment (container ID + ifname) or a path: the same on every
/// call, so DEL finds what ADD made without keeping state. FNV-1a rather than SHA-256: the crypto
/// API loads OpenSSL, which costs several milliseconds on every pod start, and these names need
/// no resistance to a chosen collision.
/// </summary>
internal static class StableName
{
    /// <summary>prefix + 8 lowercase hex digits.</summary>
    public static string Of(string prefix, string key)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in key)
        {
            h = (h ^ (byte)c) * 1099511628211UL;
            h = (h ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return prefix + ((uint)(h ^ (h >> 32))).ToString("x8");
    }
}
