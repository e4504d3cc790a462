using System.Text.RegularExpressions;
using Cdd.Csi.San.Lio;

namespace Cdd.Csi.Tests.San;

/// <summary>
/// LIO's configfs tree in memory, with the kernel's habits the driver depends on: a new group comes with its attributes,
/// rmdir refuses a group that still holds groups or links, enabling an enabled TPG or backstore fails (EINVAL/EEXIST),
/// the unit serial cannot change once the backstore is exported, writes go to existing attributes only.
/// </summary>
internal sealed class FakeConfigfs : IConfigfs
{
    public SortedSet<string> Dirs { get; } = new(StringComparer.Ordinal) { "target", "target/core" };
    public Dictionary<string, string> Attrs { get; } = new();
    public Dictionary<string, string> LinkTable { get; } = new();
    public List<string> Writes { get; } = [];

    public bool Exists(string path) => Dirs.Contains(path) || Attrs.ContainsKey(path) || LinkTable.ContainsKey(path);

    public void MakeDir(string path)
    {
        if (Dirs.Contains(path)) return;
        if (!Dirs.Contains(Parent(path))) throw new IOException($"ENOENT {Parent(path)}");
        Dirs.Add(path);
        void Attr(string name, string value) => Attrs[$"{path}/{name}"] = value;
        void Sub(string name) => Dirs.Add($"{path}/{name}");
        if (Regex.IsMatch(path, "^target/core/iblock_0/[^/]+$"))
        {
            Attr("control", ""); Attr("enable", "0"); Attr("udev_path", ""); Sub("wwn"); Attr("wwn/vpd_unit_serial", "T10 VPD Unit Serial Number: ");
        }
        else if (Regex.IsMatch(path, "^target/iscsi/[^/]+/tpgt_[0-9]+$"))
        {
            Attr("enable", "0"); Sub("attrib"); Sub("np"); Sub("lun"); Sub("acls");
            Attr("attrib/generate_node_acls", "0"); Attr("attrib/authentication", "1"); Attr("attrib/demo_mode_write_protect", "1");
        }
        else if (Regex.IsMatch(path, "^target/iscsi/[^/]+/tpgt_[0-9]+/acls/[^/]+$"))
        {
            Attr("tag", ""); Sub("auth"); Attr("auth/userid", ""); Attr("auth/password", "");
        }
        else if (Regex.IsMatch(path, "^target/iscsi/[^/]+/tpgt_[0-9]+/acls/[^/]+/lun_[0-9]+$")) Attr("write_protect", "0");
    }

    public void RemoveDir(string path)
    {
        if (!Dirs.Contains(path)) return;
        if (Dirs.Any(d => d.StartsWith(path + "/", StringComparison.Ordinal) && !IsAutoGroup(path, d)) || LinkTable.Keys.Any(l => Parent(l) == path))
            throw new IOException($"ENOTEMPTY {path}");
        if (LinkTable.ContainsValue(path)) throw new IOException($"EBUSY {path}: still linked");
        Dirs.RemoveWhere(d => d == path || d.StartsWith(path + "/", StringComparison.Ordinal));
        foreach (var k in Attrs.Keys.Where(k => k.StartsWith(path + "/", StringComparison.Ordinal)).ToList()) Attrs.Remove(k);
    }

    /// <summary>Groups the kernel made with the parent (attrib, np, lun, acls, wwn, auth) go with it, when they are empty.</summary>
    bool IsAutoGroup(string path, string d)
    {
        string rest = d[(path.Length + 1)..];
        return rest is "attrib" or "np" or "lun" or "acls" or "wwn" or "auth" && !Dirs.Any(x => x.StartsWith(d + "/", StringComparison.Ordinal));
    }

    public string Read(string path) => Attrs.TryGetValue(path, out var v) ? v + "\n" : throw new IOException($"ENOENT {path}");

    public void Write(string path, string value)
    {
        if (!Attrs.TryGetValue(path, out var current)) throw new IOException($"ENOENT {path}");
        Writes.Add($"{path}={value}");
        string dir = Parent(path);
        if (path.EndsWith("/enable", StringComparison.Ordinal) && current == "1" && value == "1") throw new IOException($"EINVAL {path}: already enabled");
        // control's udev_path= is iblock's own; the udev_path attribute is a separate record, as in the kernel.
        if (path.EndsWith("/control", StringComparison.Ordinal)) return;
        if (path.EndsWith("/wwn/vpd_unit_serial", StringComparison.Ordinal))
        {
            string dev = Parent(dir);
            if (LinkTable.ContainsValue(dev)) throw new IOException($"EINVAL {path}: exported");
            Attrs[path] = "T10 VPD Unit Serial Number: " + value;
            return;
        }
        Attrs[path] = value;
    }

    public void Link(string link, string target)
    {
        if (!Dirs.Contains(Parent(link)) || !Dirs.Contains(target)) throw new IOException($"ENOENT {link} -> {target}");
        if (LinkTable.ContainsKey(link)) throw new IOException($"EEXIST {link}");
        LinkTable[link] = target;
    }

    public void Unlink(string link) => LinkTable.Remove(link);

    public IReadOnlyList<string> Groups(string path) =>
        Dirs.Where(d => Parent(d) == path).Select(d => d[(path.Length + 1)..]).ToList();

    public IReadOnlyList<(string Name, string Target)> Links(string path) =>
        LinkTable.Where(l => Parent(l.Key) == path).Select(l => (l.Key[(path.Length + 1)..], "../../../" + l.Value)).OrderBy(l => l.Item1, StringComparer.Ordinal).ToList();

    static string Parent(string p) => p.Contains('/') ? p[..p.LastIndexOf('/')] : "";
}
