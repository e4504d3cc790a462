namespace Cdd.Cni.Spec;

/// <summary>The spec versions we speak, and ordering between version strings.</summary>
public static class CniVersions
{
    public const string Latest = "1.1.0";

    public static IReadOnlyList<string> Supported { get; } = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public static bool IsSupported(string? version) => version is not null && Supported.Contains(version);

    /// <summary>Orders "x.y.z" strings numerically; a string that is not a version sorts below every version.</summary>
    public static int Compare(string? a, string? b)
    {
        bool okA = Version.TryParse(a, out var va), okB = Version.TryParse(b, out var vb);
        if (!okA || !okB) return okA.CompareTo(okB);
        return va!.CompareTo(vb);
    }

    public static bool AtLeast(string? version, string minimum) => Compare(version, minimum) >= 0;

    /// <summary>The newest version both sides speak, or null when they share none.</summary>
    public static string? HighestCommon(IEnumerable<string> theirs)
    {
        string? best = null;
        foreach (var v in theirs)
            if (IsSupported(v) && (best is null || Compare(v, best) > 0)) best = v;
        return best;
    }
}
