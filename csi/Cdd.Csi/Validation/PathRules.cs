using Cdd.Csi.Errors;

namespace Cdd.Csi.Validation;

/// <summary>Staging and target paths: absolute, normalised, no "..", below the kubelet root.</summary>
internal static class PathRules
{
    public static string Require(string path, string field, string kubeletRoot)
    {
        if (string.IsNullOrEmpty(path)) throw CsiException.Invalid($"{field} is required");
        if (path.Length > 4096 || path.Contains('\0')) throw CsiException.Invalid($"{field} is not a valid path");
        if (!path.StartsWith('/')) throw CsiException.Invalid($"{field} \"{path}\" must be absolute");
        if (path.Split('/').Any(s => s is ".." or ".")) throw CsiException.Invalid($"{field} \"{path}\" must not contain \".\" or \"..\"");
        string root = Path.TrimEndingDirectorySeparator(kubeletRoot);
        string clean = Path.TrimEndingDirectorySeparator(path);
        if (!clean.StartsWith(root + "/", StringComparison.Ordinal))
            throw CsiException.Invalid($"{field} \"{path}\" is outside the kubelet root {root}");
        return clean;
    }
}
