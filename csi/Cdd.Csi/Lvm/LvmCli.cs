using System.Globalization;
using System.Text.Json;

namespace Cdd.Csi.Lvm;

/// <summary>lvm2 through its tools: argument vectors, `--reportformat json` parsed, non-zero exits as <see cref="Errors.ToolException"/>.</summary>
internal sealed class LvmCli : ILvm
{
    static readonly string[] Units = ["--reportformat", "json", "--units", "b", "--nosuffix"];

    public async Task<IReadOnlyList<VgInfo>> VolumeGroupsAsync()
    {
        var r = await Tool.RunCheckedAsync("vgs", [.. Units, "-o", "vg_name,vg_size,vg_free,vg_extent_size"]);
        return Rows(r.Stdout, "vg").Select(v => new VgInfo(
            Str(v, "vg_name"), Long(v, "vg_size"), Long(v, "vg_free"), Long(v, "vg_extent_size"))).ToList();
    }

    const string LvFields = "vg_name,lv_name,lv_size,lv_tags,pool_lv,lv_attr,data_percent";

    public async Task<IReadOnlyList<LvInfo>> LogicalVolumesAsync(string vg)
    {
        var r = await Tool.RunCheckedAsync("lvs", [.. Units, "-o", LvFields, vg]);
        return Rows(r.Stdout, "lv").Select(Lv).ToList();
    }

    public async Task<VgReport?> ReportAsync(string vg)
    {
        string[] args = [.. Units, "-o", LvFields + ",vg_size,vg_free,vg_extent_size", vg];
        var r = await Tool.RunAsync("lvs", args);
        if (r.ExitCode != 0)
        {
            // lvs fails for a VG that is not there (absent is an answer); for a VG that is there, the failure is real.
            if (!(await VolumeGroupsAsync()).Any(v => v.Name == vg)) return null;
            throw new Errors.ToolException("lvs", args, r.ExitCode, r.Stderr);
        }
        var rows = Rows(r.Stdout, "lv").ToList();
        // Every row carries the VG's fields; a VG without LVs has no rows, so ask vgs.
        var info = rows.Count > 0
            ? new VgInfo(vg, Long(rows[0], "vg_size"), Long(rows[0], "vg_free"), Long(rows[0], "vg_extent_size"))
            : (await VolumeGroupsAsync()).FirstOrDefault(v => v.Name == vg);
        return info is null ? null : new VgReport(info, rows.Select(Lv).ToList());
    }

    static LvInfo Lv(JsonElement v) => new(
        Str(v, "vg_name"), Str(v, "lv_name"), Long(v, "lv_size"),
        Str(v, "lv_tags").Split(',', StringSplitOptions.RemoveEmptyEntries),
        Str(v, "pool_lv"), Str(v, "lv_attr"),
        double.TryParse(Str(v, "data_percent"), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0);

    public async Task CreateAsync(string vg, string name, long sizeBytes, string? thinPool, IReadOnlyList<string> tags)
    {
        var args = new List<string> { "--yes", "-n", name };
        foreach (var t in tags) args.AddRange(["--addtag", t]);
        string size = sizeBytes.ToString(CultureInfo.InvariantCulture) + "b";
        if (thinPool is null)
            // Wipe old signatures and zero the start: a new volume must never show a previous tenant's filesystem.
            args.AddRange(["-L", size, "--wipesignatures", "y", "--zero", "y", vg]);
        else
            args.AddRange(["-V", size, "--thin", $"{vg}/{thinPool}"]);
        await Tool.RunCheckedAsync("lvcreate", args);
    }

    public async Task SnapshotAsync(string vg, string origin, string name, IReadOnlyList<string> tags, bool activate)
    {
        // No size: a thin snapshot in the origin's pool, sharing its blocks.
        var args = new List<string> { "--yes", "--snapshot", "-n", name };
        foreach (var t in tags) args.AddRange(["--addtag", t]);
        if (activate) args.AddRange(["--setactivationskip", "n", "--activate", "y"]);
        args.Add($"{vg}/{origin}");
        await Tool.RunCheckedAsync("lvcreate", args);
    }

    public Task SetReadOnlyAsync(string vg, string name, bool readOnly) =>
        Tool.RunCheckedAsync("lvchange", ["--yes", "--permission", readOnly ? "r" : "rw", $"{vg}/{name}"]);

    public Task RemoveAsync(string vg, string name) => Tool.RunCheckedAsync("lvremove", ["--yes", $"{vg}/{name}"]);

    public Task ExtendAsync(string vg, string name, long sizeBytes) =>
        Tool.RunCheckedAsync("lvextend", ["--yes", "-L", sizeBytes.ToString(CultureInfo.InvariantCulture) + "b", $"{vg}/{name}"]);

    static List<JsonElement> Rows(string json, string kind)
    {
        using var doc = JsonDocument.Parse(json);
        var rows = new List<JsonElement>();
        foreach (var report in doc.RootElement.GetProperty("report").EnumerateArray())
            if (report.TryGetProperty(kind, out var list))
                foreach (var row in list.EnumerateArray()) rows.Add(row.Clone());
        return rows;
    }

    static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";

    static long Long(JsonElement e, string name) => long.Parse(Str(e, name), CultureInfo.InvariantCulture);
}
