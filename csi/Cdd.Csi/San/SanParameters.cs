using Cdd.Csi.Errors;
using Cdd.Csi.Validation;

namespace Cdd.Csi.San;

/// <summary>StorageClass parameters of a SAN class: backend "san", the array ("lio" or "pool"), fsType, mkfsOptions. Unknown keys are refused.</summary>
internal sealed record SanParameters(string Array, string FsType, IReadOnlyList<string> MkfsOptions)
{
    public const string ArrayKey = "array";
    static readonly string[] Keys = [Backends.Backends.Key, ArrayKey, VolumeParameters.FsTypeKey, VolumeParameters.MkfsOptionsKey];

    public static SanParameters Parse(IReadOnlyDictionary<string, string> p, IReadOnlyCollection<string> arrays)
    {
        foreach (var key in p.Keys)
            if (!Keys.Contains(key) && !key.StartsWith(VolumeParameters.ProvisionerPrefix, StringComparison.Ordinal))
                throw CsiException.Invalid($"unknown parameter \"{key}\"; known: {string.Join(", ", Keys)}");
        if (!p.TryGetValue(Backends.Backends.Key, out var b) || b != Backends.Backends.San)
            throw CsiException.Invalid($"parameter {Backends.Backends.Key} must be \"san\" for a SAN class");
        if (!p.TryGetValue(ArrayKey, out var array) || array.Length == 0) throw CsiException.Invalid($"parameter {ArrayKey} is required (lio or pool)");
        if (array is not (SanVolumeId.Lio or SanVolumeId.Pool)) throw CsiException.Invalid($"parameter {ArrayKey} \"{array}\" is not lio or pool");
        if (!arrays.Contains(array))
            throw CsiException.Invalid($"parameter {ArrayKey} \"{array}\" is not configured on this controller (configured: {string.Join(", ", arrays)})");
        var (fs, mkfs) = VolumeParameters.Filesystem(p);
        return new SanParameters(array, fs, mkfs);
    }

    public Dictionary<string, string> ToContext() => new()
    {
        [VolumeParameters.FsTypeKey] = FsType,
        [VolumeParameters.MkfsOptionsKey] = string.Join(' ', MkfsOptions),
    };
}
