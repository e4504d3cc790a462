using Cdd.Csi.Errors;
using Cdd.Native.Mounts;

namespace Cdd.Csi.Validation;

/// <summary>Mount options from the volume capability, limited to an allow-list: each becomes a mount(2) flag or fs data.</summary>
internal sealed record MountOptions(MountFlags Flags, string Data)
{
    static readonly Dictionary<string, MountFlags> FlagOptions = new()
    {
        ["ro"] = MountFlags.ReadOnly, ["rw"] = MountFlags.None,
        ["noatime"] = MountFlags.NoAtime, ["nodiratime"] = MountFlags.NoDirAtime, ["relatime"] = MountFlags.RelAtime,
        ["strictatime"] = MountFlags.StrictAtime, ["lazytime"] = MountFlags.LazyTime,
        ["nodev"] = MountFlags.NoDev, ["nosuid"] = MountFlags.NoSuid, ["noexec"] = MountFlags.NoExec,
        ["sync"] = MountFlags.Synchronous,
    };

    static readonly string[] DataOptions = ["discard", "nodiscard", "nobarrier", "data=ordered", "data=journal", "commit=5", "commit=30"];

    public static MountOptions Parse(IEnumerable<string> options)
    {
        var flags = MountFlags.None;
        var data = new List<string>();
        foreach (var raw in options)
            foreach (var opt in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (FlagOptions.TryGetValue(opt, out var f)) flags |= f;
                else if (DataOptions.Contains(opt)) data.Add(opt);
                else throw CsiException.Invalid(
                    $"mount option \"{opt}\" is not allowed; allowed: {string.Join(", ", FlagOptions.Keys.Concat(DataOptions))}");
            }
        return new MountOptions(flags, string.Join(',', data));
    }
}
