using System.Globalization;
using System.Text;

namespace Cdd.Csi.San.Node;

/// <summary>sysfs under a root (tests use a fake tree): /sys/class/{iscsi_session,scsi_host,fc_host,scsi_device}, /sys/block/dm-*.</summary>
internal sealed class ScsiSysfs(string sysRoot = "/sys") : IScsiSysfs
{
    string P(string relative) => System.IO.Path.Combine(sysRoot, relative);

    public int? SessionHost(int session)
    {
        string link = P($"class/iscsi_session/session{session}");
        if (!Directory.Exists(link)) return null;
        // /sys/devices/platform/hostH/sessionN/iscsi_session/sessionN: the host is the last hostH on the real path.
        var host = RealPath(link).Split('/').LastOrDefault(s => s.StartsWith("host", StringComparison.Ordinal) && s.Length > 4 && s[4..].All(char.IsAsciiDigit));
        return host is null ? null : int.Parse(host[4..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// realpath(3) by hand: each component's link resolved against its real parent. ResolveLinkTarget resolves a relative
    /// target against the unresolved parent, which in sysfs (links inside linked directories) lands elsewhere.
    /// </summary>
    public static string RealPath(string path)
    {
        var parts = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var real = new List<string>();
        int hops = 0;
        while (parts.TryDequeue(out var part))
        {
            if (part == ".") continue;
            if (part == "..") { if (real.Count > 0) real.RemoveAt(real.Count - 1); continue; }
            string candidate = "/" + string.Join('/', real.Append(part));
            string? target = new FileInfo(candidate).LinkTarget;
            if (target is null) { real.Add(part); continue; }
            if (++hops > 40) throw new IOException($"{path}: too many levels of symbolic links");
            if (target.StartsWith('/')) real.Clear();
            var rest = target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(parts).ToList();
            parts = new Queue<string>(rest);
        }
        return "/" + string.Join('/', real);
    }

    public int SessionTargetId(int session)
    {
        string file = P($"class/iscsi_session/session{session}/target_id");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t : 0;
    }

    public void Scan(int host, int channel, int target, int lun) =>
        Write(P($"class/scsi_host/host{host}/scan"), string.Create(CultureInfo.InvariantCulture, $"{channel} {target} {lun}"));

    public IReadOnlyList<int> FcHosts()
    {
        string dir = P("class/fc_host");
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFileSystemEntries(dir).Select(System.IO.Path.GetFileName)
            .Select(n => n!.StartsWith("host", StringComparison.Ordinal) && int.TryParse(n[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int h) ? h : -1)
            .Where(h => h >= 0).Order().ToList();
    }

    public void ScanLun(int host, int lun) => Write(P($"class/scsi_host/host{host}/scan"), string.Create(CultureInfo.InvariantCulture, $"- - {lun}"));

    public ScsiPath? Path(string hctl)
    {
        string dev = P($"class/scsi_device/{hctl}/device");
        if (!Directory.Exists(dev)) return null;
        string? block = Directory.Exists(System.IO.Path.Combine(dev, "block"))
            ? Directory.EnumerateFileSystemEntries(System.IO.Path.Combine(dev, "block")).Select(System.IO.Path.GetFileName).FirstOrDefault() : null;
        string? wwid = ReadText(System.IO.Path.Combine(dev, "wwid")) is { } w ? San.Wwid.FromSysfs(w) : null;
        string state = ReadText(System.IO.Path.Combine(dev, "state"))?.Trim() ?? "unknown";
        long size = block is not null && ReadText(P($"class/block/{block}/size")) is { } s && long.TryParse(s.Trim(), CultureInfo.InvariantCulture, out long sectors) ? sectors * 512 : 0;
        return new ScsiPath(hctl, block, wwid, Serial(System.IO.Path.Combine(dev, "vpd_pg80")), state, size);
    }

    /// <summary>VPD page 0x80: 4 header bytes (type, page code 0x80, length), then the serial in ASCII.</summary>
    static string? Serial(string file)
    {
        if (!File.Exists(file)) return null;
        var b = File.ReadAllBytes(file);
        if (b.Length < 4 || b[1] != 0x80) return null;
        int len = Math.Min((b[2] << 8) | b[3], b.Length - 4);
        return Encoding.ASCII.GetString(b, 4, len).Trim(' ', '\0');
    }

    public IReadOnlyList<ScsiPath> PathsByWwid(string wwid)
    {
        string dir = P("class/scsi_device");
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFileSystemEntries(dir).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)
            .Select(h => Path(h!)).Where(p => p?.Wwid == wwid).Select(p => p!).ToList();
    }

    public void Delete(string hctl) => Write(P($"class/scsi_device/{hctl}/device/delete"), "1");

    public void Rescan(string hctl) => Write(P($"class/scsi_device/{hctl}/device/rescan"), "1");

    public DmMap? MapByUuid(string uuid)
    {
        string dir = P("block");
        if (!Directory.Exists(dir)) return null;
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir, "dm-*"))
        {
            string kernel = System.IO.Path.GetFileName(entry);
            if (ReadText(System.IO.Path.Combine(entry, "dm/uuid"))?.Trim() != uuid) continue;
            string name = ReadText(System.IO.Path.Combine(entry, "dm/name"))?.Trim() ?? kernel;
            string slavesDir = System.IO.Path.Combine(entry, "slaves");
            var slaves = Directory.Exists(slavesDir)
                ? Directory.EnumerateFileSystemEntries(slavesDir).Select(s => System.IO.Path.GetFileName(s)!).Order(StringComparer.Ordinal).ToList() : [];
            long size = long.TryParse(ReadText(System.IO.Path.Combine(entry, "size"))?.Trim(), CultureInfo.InvariantCulture, out long sectors) ? sectors * 512 : 0;
            return new DmMap(name, kernel, uuid, slaves, size);
        }
        return null;
    }

    public string DevicePath(DmMap map) => File.Exists("/dev/mapper/" + map.Name) ? "/dev/mapper/" + map.Name : "/dev/" + map.Kernel;

    public string? BlockName(string majorMinor)
    {
        string link = P($"dev/block/{majorMinor}");
        if (!Directory.Exists(link)) return null;
        return System.IO.Path.GetFileName(RealPath(link));
    }

    static string? ReadText(string file) => File.Exists(file) ? File.ReadAllText(file) : null;

    static void Write(string file, string value)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        f.Write(Encoding.ASCII.GetBytes(value));
    }
}
