using Cdd.Csi.Errors;

namespace Cdd.Csi.Validation;

/// <summary>StorageClass parameters of CreateVolume, parsed and checked. Unknown keys are refused.</summary>
internal sealed record VolumeParameters(string VolumeGroup, string? ThinPool, string FsType, IReadOnlyList<string> MkfsOptions)
{
    public const string VolumeGroupKey = "volumeGroup", ThinPoolKey = "thinPool", FsTypeKey = "fsType", MkfsOptionsKey = "mkfsOptions";

    /// <summary>Keys external-provisioner and external-snapshotter add themselves (--extra-create-metadata).</summary>
    public const string ProvisionerPrefix = "csi.storage.k8s.io/";

    public static readonly string[] FsTypes = ["ext4", "xfs"];

    /// <summary>mkfs options that shape the filesystem but cannot point it at another device or destroy data elsewhere.</summary>
    static readonly Dictionary<string, string[]> MkfsAllowList = new()
    {
        ["ext4"] = ["-m0", "-m1", "-m5", "-E lazy_itable_init=0", "-E lazy_itable_init=1", "-O ^has_journal", "-T largefile", "-T news", "-i 16384", "-i 65536"],
        ["xfs"] = ["-K", "-m crc=1", "-m reflink=1", "-m reflink=0", "-i size=512"],
    };

    public static VolumeParameters Parse(IReadOnlyDictionary<string, string> p, DriverOptions options)
    {
        foreach (var key in p.Keys)
            if (key is not (VolumeGroupKey or ThinPoolKey or FsTypeKey or MkfsOptionsKey) && !key.StartsWith(ProvisionerPrefix, StringComparison.Ordinal))
                throw CsiException.Invalid($"unknown parameter \"{key}\"; known: {VolumeGroupKey}, {ThinPoolKey}, {FsTypeKey}, {MkfsOptionsKey}");

        if (!p.TryGetValue(VolumeGroupKey, out var vg) || vg.Length == 0)
            throw CsiException.Invalid($"parameter {VolumeGroupKey} is required");
        if (!options.VolumeGroups.Contains(vg))
            throw CsiException.Invalid($"{VolumeGroupKey} \"{vg}\" is not served by this node (serves: {string.Join(", ", options.VolumeGroups)})");

        string? pool = p.TryGetValue(ThinPoolKey, out var tp) && tp.Length > 0 ? tp : null;
        if (pool is not null && !VolumeId.IsLvmName(pool)) throw CsiException.Invalid($"{ThinPoolKey} \"{pool}\" is not a valid LV name");

        string fs = p.TryGetValue(FsTypeKey, out var f) && f.Length > 0 ? f : "ext4";
        if (!FsTypes.Contains(fs)) throw CsiException.Invalid($"{FsTypeKey} \"{fs}\" is not supported (ext4, xfs)");

        var mkfs = new List<string>();
        if (p.TryGetValue(MkfsOptionsKey, out var mo) && mo.Length > 0)
            foreach (var opt in mo.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!MkfsAllowList[fs].Contains(opt))
                    throw CsiException.Invalid($"{MkfsOptionsKey} \"{opt}\" is not allowed for {fs}; allowed: {string.Join(" | ", MkfsAllowList[fs])}");
                mkfs.AddRange(opt.Split(' '));
            }
        return new VolumeParameters(vg, pool, fs, mkfs);
    }

    /// <summary>What NodeStage needs later, carried in the volume context.</summary>
    public Dictionary<string, string> ToContext() => new()
    {
        [FsTypeKey] = FsType,
        [MkfsOptionsKey] = string.Join(' ', MkfsOptions),
    };

    /// <summary>The mkfs argument vector from a volume context, rechecked against the allow-list.</summary>
    public static IReadOnlyList<string> MkfsFromContext(IReadOnlyDictionary<string, string> context, string fs)
    {
        if (!context.TryGetValue(MkfsOptionsKey, out var s) || s.Length == 0) return [];
        var tokens = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var allowed = MkfsAllowList[fs].SelectMany(o => o.Split(' ')).ToHashSet();
        foreach (var t in tokens)
            if (!allowed.Contains(t)) throw CsiException.Invalid($"volume_context {MkfsOptionsKey} token \"{t}\" is not allowed for {fs}");
        return tokens;
    }
}
