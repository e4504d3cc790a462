using System.Globalization;
using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.San.Lio;

/// <summary>
/// LIO through configfs (target_core_mod, iscsi_target_mod): an LV of the storage host's VG becomes an iblock backstore named
/// like the LV, with the LV's serial (kept in an LV tag) as its VPD unit serial; it is LUN L in every TPG (one per portal).
/// ControllerPublish adds, in each TPG, the node's ACL (no generated ACLs: that is LUN masking) with mapped LUN L, linked
/// under a name that carries the node ID ("cdd." + node_id): the link is our mark and the record of where it is published.
/// Every name is checked before it reaches configfs; CHAP secrets are written to the ACL and never logged.
/// </summary>
internal sealed class LioArray(LioOptions o, ILvm lvm, IConfigfs fs) : IArray
{
    public const string SerialTagPrefix = "cdd.io-serial=";
    public const string LinkPrefix = "cdd.";
    public const string AclTag = "cdd.io-csi";
    public const string ChapUserKey = ChapSecrets.UserKey, ChapPasswordKey = ChapSecrets.PasswordKey;
    const string Hba = "target/core/iblock_0";
    const int MaxLuns = 256;

    public string Name => SanVolumeId.Lio;

    string Target => $"target/iscsi/{o.TargetIqn}";

    IEnumerable<string> Tpgs => o.Portals.Select((_, i) => $"{Target}/tpgt_{i + 1}");

    static string Backstore(string lv) => $"{Hba}/{lv}";

    string DevicePath(string lv) => $"/dev/{o.VolumeGroup}/{lv}";

    SanVolumeId IdFor(string lv) => new(SanVolumeId.Lio, $"{o.VolumeGroup}/{lv}");

    string LvOf(SanVolumeId id)
    {
        var v = VolumeId.TryParse(id.Key);
        if (v is not { } vid || vid.Vg != o.VolumeGroup) throw new CsiException(CsiFault.NotFound, $"volume {id} is not in volume group {o.VolumeGroup}");
        return vid.Lv;
    }

    static string? Serial(LvInfo lv) => LvTags.Value(lv, SerialTagPrefix);

    async Task<(VgInfo Vg, IReadOnlyList<LvInfo> Lvs)> Report() =>
        await lvm.ReportAsync(o.VolumeGroup) is { } r ? (r.Vg, r.Lvs)
            : throw new CsiException(CsiFault.FailedPrecondition, $"volume group {o.VolumeGroup} is not present on the storage host");

    static LvInfo? Ours(IReadOnlyList<LvInfo> lvs, string lv) =>
        lvs.FirstOrDefault(l => l.Name == lv && l.Tags.Contains(VolumeId.OwnerTag) && Serial(l) is not null);

    public async Task<SanVolume> CreateAsync(string name, CapacityRange? range, string fsType)
    {
        string lvName = VolumeId.LvNameFor(name);
        var (vg, lvs) = await Report();
        var lv = lvs.FirstOrDefault(l => l.Name == lvName);
        if (lv is not null)
        {
            // The name is the idempotency key: the same LV, made by us for this name, in a size that fits the request.
            if (!lv.Tags.Contains(VolumeId.NameTag(name)) || Serial(lv) is null || !Capacity.Fits(lv.SizeBytes, range))
                throw new CsiException(CsiFault.AlreadyExists, $"volume {name} exists as {IdFor(lvName)} with {lv.SizeBytes} bytes, incompatible with this request");
        }
        else
        {
            long size = new Capacity(vg.ExtentBytes, o.DefaultVolumeBytes).Size(range, fsType);
            var (total, free) = Room(vg, lvs);
            Capacity.RequireRoom(size, size, total, free, o.ThinPool is null ? $"volume group {vg.Name}" : $"thin pool {o.ThinPool}");
            // A fresh serial per LV: a LUN number reused for another volume never looks like the old one to a node.
            string serial = Guid.NewGuid().ToString("N");
            var tags = new[] { VolumeId.OwnerTag, VolumeId.NameTag(name), SerialTagPrefix + serial };
            await lvm.CreateAsync(o.VolumeGroup, lvName, size, o.ThinPool, tags);
            lv = new LvInfo(o.VolumeGroup, lvName, size, tags, o.ThinPool ?? "", "", 0);
        }
        EnsureTarget();
        Export(lvName, Serial(lv)!);
        return Volume(lv);
    }

    (long Total, long Free) Room(VgInfo vg, IReadOnlyList<LvInfo> lvs)
    {
        if (o.ThinPool is null) return (vg.SizeBytes, vg.FreeBytes);
        var pool = lvs.FirstOrDefault(l => l.Name == o.ThinPool && l.IsThinPool)
            ?? throw new CsiException(CsiFault.FailedPrecondition, $"thin pool {o.VolumeGroup}/{o.ThinPool} does not exist");
        return (pool.SizeBytes, VolumeGrowth.ThinAvailable(pool, lvs, 1.0));
    }

    SanVolume Volume(LvInfo lv)
    {
        string serial = Serial(lv)!;
        return new SanVolume(IdFor(lv.Name), lv.SizeBytes, Wwid.ForLioSerial(serial), serial, Published(lv.Name));
    }

    public async Task<SanVolume?> FindAsync(SanVolumeId id)
    {
        string lvName = LvOf(id);
        var (_, lvs) = await Report();
        return Ours(lvs, lvName) is { } lv ? Volume(lv) : null;
    }

    public async Task DeleteAsync(SanVolumeId id)
    {
        if (VolumeId.TryParse(id.Key) is not { } vid || vid.Vg != o.VolumeGroup) return;
        var (_, lvs) = await Report();
        if (Ours(lvs, vid.Lv) is not { } lv) return;
        var published = Published(lv.Name);
        if (published.Count > 0)
            throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is still published to {string.Join(", ", published.Select(n => NodeIdentity.Parse(n).Node))}");
        Unexport(lv.Name);
        await lvm.RemoveAsync(o.VolumeGroup, lv.Name);
    }

    public async Task<long> ExpandAsync(SanVolumeId id, CapacityRange range)
    {
        string lvName = LvOf(id);
        var (vg, lvs) = await Report();
        var lv = Ours(lvs, lvName) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        long size = new Capacity(vg.ExtentBytes, o.DefaultVolumeBytes).Size(range, null);
        if (size <= lv.SizeBytes) return lv.SizeBytes;
        var (total, free) = Room(vg, lvs);
        Capacity.RequireRoom(size, size - lv.SizeBytes, total, free, o.ThinPool is null ? $"volume group {vg.Name}" : $"thin pool {o.ThinPool}");
        // iblock reads the block device's size on every READ CAPACITY: the LUN grows with the LV, nodes rescan.
        await lvm.ExtendAsync(o.VolumeGroup, lvName, size);
        return size;
    }

    public async Task<PublishContext> PublishAsync(SanVolumeId id, NodeIdentity node, bool readOnly, IReadOnlyDictionary<string, string> secrets)
    {
        string nodeId = node.ToString();
        string iqn = node.Iqn ?? throw new CsiException(CsiFault.FailedPrecondition, $"node {node.Node} reports no iSCSI initiator name (lio serves iSCSI)");
        string link = LinkPrefix + nodeId;
        if (link.Length > 255) throw CsiException.Invalid($"node_id is too long to record in configfs ({nodeId.Length} bytes; at most {255 - LinkPrefix.Length})");
        var chap = ChapSecrets.Parse(secrets);
        if (o.RequireChap && chap is null)
            throw CsiException.Invalid($"secrets {ChapUserKey} and {ChapPasswordKey} are required: the target requires CHAP");
        string lvName = LvOf(id);
        var (_, lvs) = await Report();
        var lv = Ours(lvs, lvName) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        EnsureTarget();
        int lun = Export(lvName, Serial(lv)!);
        string mappedName = "lun_" + lun.ToString(CultureInfo.InvariantCulture);
        foreach (var tpg in Tpgs)
        {
            string acl = $"{tpg}/acls/{iqn}";
            if (!fs.Exists(acl))
            {
                fs.MakeDir(acl);
                if (fs.Exists($"{acl}/tag")) fs.Write($"{acl}/tag", AclTag);
            }
            if (chap is { } c)
            {
                fs.Write($"{acl}/auth/userid", c.User);
                fs.Write($"{acl}/auth/password", c.Password);
            }
            string mapped = $"{acl}/{mappedName}";
            if (!fs.Exists(mapped)) fs.MakeDir(mapped);
            var links = fs.Links(mapped);
            if (links.Any(l => l.Name != link))
                throw new CsiException(CsiFault.FailedPrecondition,
                    $"initiator {iqn} already maps LUN {lun} for {string.Join(", ", links.Select(l => l.Name))}, not for node {node.Node}");
            if (links.Count == 0)
            {
                if (readOnly) fs.Write($"{mapped}/write_protect", "1");
                fs.Link($"{mapped}/{link}", $"{tpg}/lun/{mappedName}");
            }
        }
        return new PublishContext(PublishContext.Iscsi, o.TargetIqn, o.Portals, lun, Wwid.ForLioSerial(Serial(lv)!), Serial(lv)!);
    }

    public Task UnpublishAsync(SanVolumeId id, string nodeId)
    {
        var node = NodeIdentity.Parse(nodeId);
        if (node.Iqn is null || VolumeId.TryParse(id.Key) is not { } vid || vid.Vg != o.VolumeGroup) return Task.CompletedTask;
        if (FindLun(vid.Lv) is not int lun) return Task.CompletedTask;
        string link = LinkPrefix + node;
        foreach (var tpg in Tpgs)
        {
            string acl = $"{tpg}/acls/{node.Iqn}";
            string mapped = $"{acl}/lun_{lun.ToString(CultureInfo.InvariantCulture)}";
            if (!fs.Exists(mapped)) continue;
            var links = fs.Links(mapped);
            // Only our own mapping: a mapped LUN linked under another name is someone else's.
            if (!links.Any(l => l.Name == link)) continue;
            fs.Unlink($"{mapped}/{link}");
            fs.RemoveDir(mapped);
            bool ourAcl = !fs.Exists($"{acl}/tag") || fs.Read($"{acl}/tag").Trim() is AclTag or "";
            if (ourAcl && !fs.Groups(acl).Any(g => g.StartsWith("lun_", StringComparison.Ordinal))) fs.RemoveDir(acl);
        }
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<SanVolume>> ListAsync()
    {
        var (_, lvs) = await Report();
        return lvs.Where(l => l.Tags.Contains(VolumeId.OwnerTag) && Serial(l) is not null).Select(Volume).ToList();
    }

    public async Task<(long Available, long Maximum)> CapacityAsync()
    {
        var (vg, lvs) = await Report();
        var (_, free) = Room(vg, lvs);
        return (free, free);
    }

    public async Task ProbeAsync()
    {
        if (!fs.Exists("target"))
            throw new CsiException(CsiFault.FailedPrecondition, "configfs has no target/: load target_core_mod (and iscsi_target_mod) on the storage host");
        // The fabric's group appears on mkdir (which loads iscsi_target_mod): a failure here is a missing module.
        fs.MakeDir("target/iscsi");
        await Report();
    }

    /// <summary>The target, one TPG per portal with its network portal, no generated ACLs, enabled; each step only when missing.</summary>
    void EnsureTarget()
    {
        fs.MakeDir("target/iscsi");
        fs.MakeDir(Target);
        int i = 0;
        foreach (var tpg in Tpgs)
        {
            fs.MakeDir(tpg);
            fs.MakeDir($"{tpg}/np/{PublishContext.Portal(o.Portals[i++])}");
            Set($"{tpg}/attrib/generate_node_acls", "0");
            Set($"{tpg}/attrib/demo_mode_write_protect", "1");
            Set($"{tpg}/attrib/authentication", o.RequireChap ? "1" : "0");
            // Writing 1 to an enabled TPG is EINVAL: only when it is not.
            Set($"{tpg}/enable", "1");
        }
    }

    void Set(string attribute, string value)
    {
        if (fs.Read(attribute).Trim() != value) fs.Write(attribute, value);
    }

    /// <summary>
    /// The backstore (configured and enabled once; its serial set before it is exported, as LIO requires) and LUN L in every
    /// TPG, L the lowest number free in all of them, or the one it already has. Returns L.
    /// </summary>
    int Export(string lv, string serial)
    {
        string dev = Backstore(lv);
        fs.MakeDir(Hba);
        fs.MakeDir(dev);
        if (fs.Read($"{dev}/enable").Trim() != "1")
        {
            // control's udev_path is what iblock opens; the udev_path attribute is the record of it (what targetcli writes too),
            // and the mark this driver checks before it reuses or removes a backstore.
            fs.Write($"{dev}/control", $"udev_path={DevicePath(lv)}");
            fs.Write($"{dev}/udev_path", DevicePath(lv));
            fs.Write($"{dev}/wwn/vpd_unit_serial", serial);
            fs.Write($"{dev}/enable", "1");
        }
        if (UdevPath(dev) != DevicePath(lv) || UnitSerial(dev) != serial)
            throw new CsiException(CsiFault.FailedPrecondition,
                $"backstore {dev} exists for {UdevPath(dev)} with serial {UnitSerial(dev)}, not for {DevicePath(lv)}: it is not ours, nothing is changed");
        int lun = FindLun(lv) ?? FreeLun();
        string lunDir = "lun_" + lun.ToString(CultureInfo.InvariantCulture);
        foreach (var tpg in Tpgs)
        {
            string dir = $"{tpg}/lun/{lunDir}";
            if (!fs.Exists(dir)) fs.MakeDir(dir);
            if (fs.Links(dir).Count == 0) fs.Link($"{dir}/{lv}", dev);
        }
        return lun;
    }

    void Unexport(string lv)
    {
        string dev = Backstore(lv);
        foreach (var tpg in Tpgs)
            foreach (var lunDir in fs.Groups($"{tpg}/lun"))
            {
                string dir = $"{tpg}/lun/{lunDir}";
                var links = fs.Links(dir);
                if (!links.Any(l => PointsTo(l.Target, lv))) continue;
                foreach (var l in links) fs.Unlink($"{dir}/{l.Name}");
                fs.RemoveDir(dir);
            }
        // Only a backstore on our LV's path: a same-named one on another device is someone else's.
        if (fs.Exists(dev) && UdevPath(dev) == DevicePath(lv)) fs.RemoveDir(dev);
    }

    string UdevPath(string dev) => fs.Read($"{dev}/udev_path").Trim();

    /// <summary>wwn/vpd_unit_serial reads "T10 VPD Unit Serial Number: &lt;serial&gt;".</summary>
    string UnitSerial(string dev)
    {
        string text = fs.Read($"{dev}/wwn/vpd_unit_serial").Trim();
        int colon = text.LastIndexOf(':');
        return colon >= 0 ? text[(colon + 1)..].Trim() : text;
    }

    static bool PointsTo(string linkTarget, string lv) =>
        linkTarget.TrimEnd('/').EndsWith("/iblock_0/" + lv, StringComparison.Ordinal);

    int? FindLun(string lv)
    {
        string tpg = Tpgs.First();
        foreach (var lunDir in fs.Groups($"{tpg}/lun"))
            if (fs.Links($"{tpg}/lun/{lunDir}").Any(l => PointsTo(l.Target, lv)) && LunNumber(lunDir) is int n) return n;
        return null;
    }

    int FreeLun()
    {
        var used = Tpgs.SelectMany(t => fs.Groups($"{t}/lun")).Select(LunNumber).OfType<int>().ToHashSet();
        for (int l = 0; l < MaxLuns; l++) if (!used.Contains(l)) return l;
        throw new CsiException(CsiFault.ResourceExhausted, $"target {o.TargetIqn} has all {MaxLuns} LUNs in use");
    }

    static int? LunNumber(string dir) =>
        dir.StartsWith("lun_", StringComparison.Ordinal) && int.TryParse(dir[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>Node IDs the LV's LUN is mapped for: the names of our links under the ACLs' mapped LUNs.</summary>
    List<string> Published(string lv)
    {
        if (FindLun(lv) is not int lun) return [];
        var nodes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tpg in Tpgs)
            foreach (var acl in fs.Groups($"{tpg}/acls"))
                foreach (var l in fs.Links($"{tpg}/acls/{acl}/lun_{lun.ToString(CultureInfo.InvariantCulture)}"))
                    if (l.Name.StartsWith(LinkPrefix, StringComparison.Ordinal)) nodes.Add(l.Name[LinkPrefix.Length..]);
        return nodes.ToList();
    }

}
