using System.Globalization;
using System.Text.RegularExpressions;

namespace Cdd.Native.Sysfs;

/// <summary>A VF as sysfs describes it: its PCI address, its PF and index there, the driver bound and its netdevs.</summary>
public sealed record VfDevice(string Pci, string PfPci, int Index, string? Driver, IReadOnlyList<string> Netdevs);

/// <summary>
/// Reads the SR-IOV layout from sysfs under an injectable root ("/" on a node; a tree of directories and symlinks in
/// tests; the host's /sys mounted elsewhere in a container): /sys/bus/pci/devices/ADDR/{physfn, virtfnN, driver,
/// net/, sriov_numvfs, sriov_totalvfs} and /sys/class/net/NAME/device.
/// </summary>
public sealed partial class SriovSysfs(string root = "/")
{
    public string Root { get; } = root;

    string Devices => Path.Combine(Root, "sys/bus/pci/devices");

    [GeneratedRegex("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$")]
    private static partial Regex PciPattern();

    /// <summary>A PCI address in sysfs' form: domain:bus:device.function, lower-case hex (0000:3b:02.1).</summary>
    public static bool IsPciAddress(string? s) => s is not null && PciPattern().IsMatch(s);

    public bool DeviceExists(string pci) => Directory.Exists(Path.Combine(Devices, pci));

    /// <summary>The PCI address of a netdev's device, or null for a netdev without one (veth, bridge) or none at all.</summary>
    public string? PciOfNetdev(string netdev) => LinkName(Path.Combine(Root, "sys/class/net", netdev, "device"));

    /// <summary>The VF at <paramref name="pci"/>, or null when that device is not a VF (no physfn link).</summary>
    public VfDevice? Vf(string pci)
    {
        string dir = Path.Combine(Devices, pci);
        string? pf = LinkName(Path.Combine(dir, "physfn"));
        if (pf is null) return null;
        var siblings = Vfs(pf);
        int at = siblings.ToList().FindIndex(v => v.Pci == pci);
        int index = at < 0 ? -1 : siblings[at].Index;
        return new VfDevice(pci, pf, index, LinkName(Path.Combine(dir, "driver")), NetdevsOf(dir));
    }

    /// <summary>Whether the device is an SR-IOV PF: it has sriov_totalvfs or virtfn links.</summary>
    public bool IsPf(string pci) =>
        File.Exists(Path.Combine(Devices, pci, "sriov_totalvfs")) || Vfs(pci).Count > 0;

    /// <summary>The PF's VFs, by index: (N, ADDR) for each virtfnN link.</summary>
    public IReadOnlyList<(int Index, string Pci)> Vfs(string pfPci)
    {
        string dir = Path.Combine(Devices, pfPci);
        if (!Directory.Exists(dir)) return [];
        var list = new List<(int, string)>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir, "virtfn*"))
        {
            string name = Path.GetFileName(entry);
            if (!int.TryParse(name.AsSpan("virtfn".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n)) continue;
            if (LinkName(entry) is { } vf) list.Add((n, vf));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    public int? NumVfs(string pfPci) => ReadInt(Path.Combine(Devices, pfPci, "sriov_numvfs"));
    public int? TotalVfs(string pfPci) => ReadInt(Path.Combine(Devices, pfPci, "sriov_totalvfs"));

    /// <summary>The netdevs of a PCI device (its net/ folder): a PF's is its own uplink name.</summary>
    public IReadOnlyList<string> Netdevs(string pci) => NetdevsOf(Path.Combine(Devices, pci));

    static IReadOnlyList<string> NetdevsOf(string deviceDir)
    {
        string net = Path.Combine(deviceDir, "net");
        return Directory.Exists(net) ? [.. Directory.EnumerateFileSystemEntries(net).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];
    }

    static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The last path element a symlink points at (sysfs links are relative: ../../../0000:3b:00.0).</summary>
    static string? LinkName(string link)
    {
        try
        {
            var target = new FileInfo(link).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
