using System.Net;
using Cdd.Csi.San.Node;

namespace Cdd.Csi.Tests.San;

/// <summary>
/// A storage network in memory: LUNs a target offers (by LUN number: WWID, serial, size), iSCSI sessions with a SCSI host
/// each, SCSI devices that appear only when their address is scanned, multipath maps that multipathd (here: <see cref="AddAsync"/>
/// or <see cref="AutoMap"/>) makes over every path of a WWID.
/// </summary>
internal sealed class FakeSan : IIscsiAdm, IMultipath, IScsiSysfs
{
    public Dictionary<int, (string Wwid, string Serial, long Size)> Luns { get; } = new();
    public List<IscsiSession> Sessions { get; } = [];
    public Dictionary<int, int> SessionHosts { get; } = new();
    public Dictionary<string, ScsiPath> Devices { get; } = new();
    public Dictionary<string, DmMap> Maps { get; } = new();
    public List<string> Calls { get; } = [];
    public bool AutoMap { get; set; } = true;
    public bool ResizeFollowsPaths { get; set; } = true;
    public int BusyFlushes { get; set; }
    int _nextSession = 1, _nextHost = 2, _nextSd;

    // iscsiadm
    public Task<IReadOnlyList<IscsiSession>> SessionsAsync() => Task.FromResult<IReadOnlyList<IscsiSession>>(Sessions.ToList());

    public Task DiscoverAsync(IPEndPoint portal)
    {
        Calls.Add($"discover {portal}");
        return Task.CompletedTask;
    }

    public Task UpdateAsync(string target, IPEndPoint portal, string key, string value, bool secret = false)
    {
        Calls.Add($"update {portal} {key}={(secret ? "***" : value)}");
        return Task.CompletedTask;
    }

    public Task LoginAsync(string target, IPEndPoint portal)
    {
        Calls.Add($"login {portal}");
        int id = _nextSession++;
        Sessions.Add(new IscsiSession(id, portal, target));
        SessionHosts[id] = _nextHost++;
        return Task.CompletedTask;
    }

    public Task LogoutAsync(string target, IPEndPoint portal)
    {
        Calls.Add($"logout {portal}");
        Sessions.RemoveAll(s => s.Portal.Equals(portal) && s.Target == target);
        return Task.CompletedTask;
    }

    public Task DeleteNodeAsync(string target, IPEndPoint portal)
    {
        Calls.Add($"delete-node {portal}");
        return Task.CompletedTask;
    }

    // sysfs
    public int? SessionHost(int session) => Sessions.Any(s => s.Id == session) ? SessionHosts[session] : null;

    public int SessionTargetId(int session) => 0;

    public void Scan(int host, int channel, int target, int lun)
    {
        Calls.Add($"scan {host} {channel} {target} {lun}");
        string hctl = $"{host}:{channel}:{target}:{lun}";
        if (Devices.ContainsKey(hctl) || !Luns.TryGetValue(lun, out var l)) return;
        Devices[hctl] = new ScsiPath(hctl, "sd" + (char)('a' + _nextSd++), l.Wwid, l.Serial, "running", l.Size);
        if (AutoMap) Remap(l.Wwid);
    }

    public IReadOnlyList<int> FcHosts() => [];

    public void ScanLun(int host, int lun) => Calls.Add($"scan-fc {host} {lun}");

    public ScsiPath? Path(string hctl) => Devices.GetValueOrDefault(hctl);

    public IReadOnlyList<ScsiPath> PathsByWwid(string wwid) => Devices.Values.Where(d => d.Wwid == wwid).OrderBy(d => d.Hctl, StringComparer.Ordinal).ToList();

    public void Delete(string hctl)
    {
        Calls.Add($"delete {hctl}");
        if (Devices.Remove(hctl, out var d))
            foreach (var (k, m) in Maps.ToList()) Maps[k] = m with { Slaves = m.Slaves.Where(s => s != d.Block).ToList() };
    }

    /// <summary>The device re-reads its LUN's size (the LUN number is the address's last part).</summary>
    public void Rescan(string hctl)
    {
        Calls.Add($"rescan {hctl}");
        if (Devices.TryGetValue(hctl, out var d) && Luns.TryGetValue(int.Parse(hctl.Split(':')[3], System.Globalization.CultureInfo.InvariantCulture), out var l))
            Devices[hctl] = d with { SizeBytes = l.Size };
    }

    public DmMap? MapByUuid(string uuid) => Maps.Values.FirstOrDefault(m => m.Uuid == uuid);

    public string DevicePath(DmMap map) => "/dev/mapper/" + map.Name;

    public string? BlockName(string majorMinor) => majorMinor == "8:16" ? "sdb" : null;

    /// <summary>What multipathd does on a new path: a map named by the WWID over every path that reports it.</summary>
    public void Remap(string wwid)
    {
        var paths = PathsByWwid(wwid);
        Maps[wwid] = new DmMap(wwid, "dm-" + Maps.Count, "mpath-" + wwid, paths.Select(p => p.Block!).ToList(), paths.Max(p => p.SizeBytes));
    }

    // multipath
    public Task AddAsync(string block)
    {
        Calls.Add($"multipath /dev/{block}");
        DaemonPaths.Add(block);
        var d = Devices.Values.First(x => x.Block == block);
        Remap(d.Wwid!);
        return Task.CompletedTask;
    }

    /// <summary>Paths multipathd holds (added, not yet forgotten); the daemon of the VM tier hears no uevent, so only these calls change it.</summary>
    public HashSet<string> DaemonPaths { get; } = [];

    public Task ForgetPathAsync(string block)
    {
        Calls.Add($"forget {block}");
        DaemonPaths.Remove(block);
        return Task.CompletedTask;
    }

    public Task<bool> FlushAsync(string map)
    {
        Calls.Add($"flush-map {map}");
        if (BusyFlushes-- > 0) return Task.FromResult(false);
        foreach (var k in Maps.Where(m => m.Value.Name == map).Select(m => m.Key).ToList()) Maps.Remove(k);
        return Task.FromResult(true);
    }

    public Task ResizeAsync(string map, long sizeBytes)
    {
        Calls.Add($"resize {map}");
        if (ResizeFollowsPaths)
            foreach (var (k, m) in Maps.Where(m => m.Value.Name == map).ToList())
                Maps[k] = m with { SizeBytes = PathsByWwid(k).Max(p => p.SizeBytes) };
        return Task.CompletedTask;
    }

    public List<string> Failed { get; } = [];

    public Task<IReadOnlyList<string>> FailedPathsAsync(string map) => Task.FromResult<IReadOnlyList<string>>(Failed.ToList());

    public Task RemoveAsync(string map)
    {
        Calls.Add($"dm-remove {map}");
        foreach (var k in Maps.Where(m => m.Value.Name == map).Select(m => m.Key).ToList()) Maps.Remove(k);
        return Task.CompletedTask;
    }

    public Task FlushBuffersAsync(string devicePath)
    {
        Calls.Add($"flushbufs {devicePath}");
        return Task.CompletedTask;
    }
}
