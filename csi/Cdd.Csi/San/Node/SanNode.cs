using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Csi.V1;

namespace Cdd.Csi.San.Node;

/// <summary>
/// The SAN backend's node side. Attach: iSCSI login on every portal (node.startup and node.session.scan manual, an
/// existing session reused, CHAP from the node-stage secret) or an FC rescan, then a scan of exactly the LUN, the LUN's
/// paths found by WWID, the serial checked on every path (a mismatch refuses the volume: a LUN number reused for another
/// volume leaves stale paths behind), the multipath map awaited and checked (UUID mpath-WWID, size of a path). Detach
/// undoes it all from the persisted record: flush, map flush with bounded retries, SCSI devices deleted, sessions logged
/// out when no other staged volume uses them, a ghost map removed only when its UUID is ours.
/// </summary>
internal sealed class SanNode(IIscsiAdm iscsi, IMultipath multipath, IScsiSysfs sysfs, StageStore store, SanNodeTimings? timings = null) : INodeBackend
{
    public const string ChapUserKey = ChapSecrets.UserKey, ChapPasswordKey = ChapSecrets.PasswordKey;
    const string Corruption = "attaching would risk data corruption";
    const string ReplacementTimeoutSeconds = "15";
    readonly SanNodeTimings _t = timings ?? new SanNodeTimings();

    // Sessions are shared by volumes; their login and logout decisions must not interleave.
    static readonly SemaphoreSlim SessionLock = new(1, 1);

    public string Name => Backends.Backends.San;

    public bool Owns(string volumeId) => SanVolumeId.TryParse(volumeId) is not null;

    static string Uuid(string wwid) => "mpath-" + wwid;

    public async Task<string> AttachAsync(AttachRequest request)
    {
        var ctx = PublishContext.Parse(request.PublishContext);
        var chap = ChapSecrets.Parse(request.Secrets);
        var record = store.Load(request.VolumeId);
        if (record is not null && (record.Wwid != ctx.Wwid || record.Serial != ctx.Serial))
            throw new CsiException(CsiFault.FailedPrecondition,
                $"volume {request.VolumeId} is staged here as WWID {record.Wwid}, not {ctx.Wwid}; unstage it first");
        bool fresh = record is null;
        record ??= new StageRecord
        {
            VolumeId = request.VolumeId, Transport = ctx.Transport, TargetIqn = ctx.TargetIqn,
            Portals = ctx.Portals.Select(PublishContext.Portal).ToList(), Lun = ctx.Lun, Wwid = ctx.Wwid, Serial = ctx.Serial,
        };
        // Saved before the first session or path exists: an unstage after a crash anywhere below still finds what to remove.
        store.Save(record);
        var ourPortals = new List<string>();
        try
        {
            return await Attach(record, ctx, chap, ourPortals);
        }
        catch when (fresh)
        {
            // A refused or failed first stage takes back what it added (the paths with its WWID, its map, the sessions it logged
            // in that no other staged volume uses) and its record; a path that failed the identity check is not ours and stays,
            // and so does a session that was there before. Should the undo itself fail, the record stays, so that NodeUnstage
            // (which the CO may call after a failed stage) finishes the job.
            await UndoQuietly(request.VolumeId, ourPortals);
            throw;
        }
    }

    async Task UndoQuietly(string volumeId, List<string> ourPortals)
    {
        try
        {
            if (store.Load(volumeId) is { } record) await Detach(record, ourPortals.Contains);
        }
        catch (Exception e) when (e is CsiException or ToolException or IOException or UnauthorizedAccessException)
        {
            // The stage's own error is the one to report; the record left behind says what is still to remove.
        }
    }

    async Task<string> Attach(StageRecord record, PublishContext ctx, (string User, string Password)? chap, List<string> ourPortals)
    {
        var expected = new List<string>();
        if (ctx.Transport == PublishContext.Iscsi)
        {
            var sessions = await EnsureSessions(ctx.TargetIqn!, ctx.Portals, chap, ourPortals);
            foreach (var portal in ctx.Portals)
            {
                int session = sessions[portal];
                int host = sysfs.SessionHost(session) ?? throw new CsiException(CsiFault.Unavailable, $"iSCSI session {session} to {portal} has no SCSI host");
                int target = sysfs.SessionTargetId(session);
                string hctl = Hctl(host, 0, target, ctx.Lun);
                // With node.session.scan=manual the login scanned nothing: exactly this LUN, and only when it is not there yet
                // (a present device keeps its identity; it is checked below, never rescanned into a new one).
                if (sysfs.Path(hctl) is null) sysfs.Scan(host, 0, target, ctx.Lun);
                expected.Add(hctl);
            }
        }
        else
        {
            foreach (int host in sysfs.FcHosts()) sysfs.ScanLun(host, ctx.Lun);
        }

        var paths = await WaitForPaths(expected, ctx);
        record = record with { Paths = record.Paths.Union(paths.Select(p => p.Hctl)).Order(StringComparer.Ordinal).ToList() };
        store.Save(record);
        foreach (var p in paths) RequireIdentity(p, ctx);

        var map = await WaitForMap(ctx, paths);
        store.Save(record with { Map = map.Name });
        return sysfs.DevicePath(map);
    }

    /// <summary>The expected addresses (iSCSI) each with a block device, plus every other path with the WWID (FC, late paths).</summary>
    async Task<IReadOnlyList<ScsiPath>> WaitForPaths(List<string> expected, PublishContext ctx)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = expected.Select(sysfs.Path).ToList();
            var byWwid = sysfs.PathsByWwid(ctx.Wwid);
            // A device at an expected address that is not the volume is refused at once: waiting will not change its identity.
            foreach (var p in found.OfType<ScsiPath>()) if (p.Block is not null) RequireIdentity(p, ctx);
            bool complete = found.All(p => p?.Block is not null) && (expected.Count > 0 || byWwid.Any(p => p.Block is not null));
            if (complete)
                return found.OfType<ScsiPath>().Concat(byWwid.Where(p => p.Block is not null))
                    .DistinctBy(p => p.Hctl).OrderBy(p => p.Hctl, StringComparer.Ordinal).ToList();
            if (clock.Elapsed > _t.Paths)
            {
                var missing = expected.Where((h, i) => found[i]?.Block is null).ToList();
                throw new CsiException(CsiFault.Unavailable,
                    missing.Count > 0 ? $"LUN {ctx.Lun} did not appear at {string.Join(", ", missing)} within {_t.Paths.TotalSeconds:0} s"
                        : $"no path with WWID {ctx.Wwid} appeared within {_t.Paths.TotalSeconds:0} s (FC: is the LUN mapped to this host's WWPNs?)");
            }
            await Task.Delay(_t.Poll);
        }
    }

    static void RequireIdentity(ScsiPath p, PublishContext ctx)
    {
        if (p.Wwid != ctx.Wwid || p.Serial != ctx.Serial)
            throw new CsiException(CsiFault.FailedPrecondition,
                $"path {p.Hctl} ({p.Block}) reports WWID {p.Wwid ?? "none"} and serial {p.Serial ?? "none"}, not the volume's {ctx.Wwid} / {ctx.Serial}: " +
                $"{Corruption}; the path is left as it is (a stale device of a deleted LUN? delete it after checking)");
    }

    /// <summary>
    /// The map with UUID mpath-WWID over the paths; its missing paths handed to multipath when it has not appeared by itself,
    /// again every MapAsk, up to the deadline. Its size must be a path's size (a map over a smaller, stale path would truncate writes).
    /// </summary>
    async Task<DmMap> WaitForMap(PublishContext ctx, IReadOnlyList<ScsiPath> paths)
    {
        var clock = Stopwatch.StartNew();
        var nextAsk = _t.MapAsk;
        while (true)
        {
            var map = sysfs.MapByUuid(Uuid(ctx.Wwid));
            if (map is not null && paths.All(p => map.Slaves.Contains(p.Block!)))
            {
                long size = paths.Max(p => p.SizeBytes);
                if (map.SizeBytes != size)
                    throw new CsiException(CsiFault.FailedPrecondition,
                        $"multipath map {map.Name} has {map.SizeBytes} bytes, its paths {size}: {Corruption}");
                return map;
            }
            // The paths still missing from the map are handed over each MapAsk, at least once before the deadline: measured in
            // the VM tier without udev, multipathd took the first path and let the second wait (once for 15 s). Idempotent.
            if (clock.Elapsed >= nextAsk)
            {
                foreach (var p in paths.Where(p => map is null || !map.Slaves.Contains(p.Block!))) await multipath.AddAsync(p.Block!);
                nextAsk = clock.Elapsed + _t.MapAsk;
                continue;
            }
            if (clock.Elapsed > _t.Map)
                throw new CsiException(CsiFault.Unavailable,
                    map is null ? $"no multipath map with UUID {Uuid(ctx.Wwid)} within {_t.Map.TotalSeconds:0} s (multipathd running? find_multipaths no, or the WWID in /etc/multipath/wwids?)"
                        : $"multipath map {map.Name} holds {string.Join(",", map.Slaves)}, not every path ({string.Join(",", paths.Select(p => p.Block))}) within {_t.Map.TotalSeconds:0} s");
            await Task.Delay(_t.Poll);
        }
    }

    /// <summary>
    /// A session per portal: an existing one is reused; for the others, discovery on each first (a later discovery may reset
    /// records it returns), then each record set to manual startup and manual scan (and CHAP), then the logins.
    /// </summary>
    async Task<Dictionary<IPEndPoint, int>> EnsureSessions(string target, IReadOnlyList<IPEndPoint> portals, (string User, string Password)? chap, List<string> ourPortals)
    {
        await SessionLock.WaitAsync();
        try
        {
            var result = new Dictionary<IPEndPoint, int>();
            var missing = new List<IPEndPoint>();
            foreach (var portal in portals)
            {
                if (await Find(target, portal) is { } existing) result[portal] = existing.Id;
                else missing.Add(portal);
            }
            foreach (var portal in missing)
            {
                await iscsi.DiscoverAsync(portal);
                // From here the portal's node record (and soon its session) is this call's to take back if the stage fails.
                ourPortals.Add(PublishContext.Portal(portal));
            }
            foreach (var portal in missing)
            {
                // Nothing logs in again at boot, and the login scans no LUN: the node scans exactly what it attaches.
                await iscsi.UpdateAsync(target, portal, "node.startup", "manual");
                await iscsi.UpdateAsync(target, portal, "node.session.scan", "manual");
                // Under dm-multipath a dead portal must fail its I/O to the other path soon, not after open-iscsi's default 120 s.
                await iscsi.UpdateAsync(target, portal, "node.session.timeo.replacement_timeout", ReplacementTimeoutSeconds);
                if (chap is { } c)
                {
                    await iscsi.UpdateAsync(target, portal, "node.session.auth.authmethod", "CHAP");
                    await iscsi.UpdateAsync(target, portal, "node.session.auth.username", c.User, secret: true);
                    await iscsi.UpdateAsync(target, portal, "node.session.auth.password", c.Password, secret: true);
                }
                await iscsi.LoginAsync(target, portal);
                result[portal] = (await Find(target, portal))?.Id
                    ?? throw new CsiException(CsiFault.Unavailable, $"iscsiadm logged in to {target} at {portal} but no session is listed");
            }
            return result;
        }
        finally
        {
            SessionLock.Release();
        }
    }

    async Task<IscsiSession?> Find(string target, IPEndPoint portal) =>
        (await iscsi.SessionsAsync()).FirstOrDefault(s => s.Target == target && s.Portal.Equals(portal));

    public Task<string?> DevicePathAsync(string volumeId)
    {
        if (store.Load(volumeId) is not { } record) return Task.FromResult<string?>(null);
        var map = sysfs.MapByUuid(Uuid(record.Wwid));
        return Task.FromResult(map is null ? null : sysfs.DevicePath(map));
    }

    public async Task DetachAsync(string volumeId)
    {
        if (store.Load(volumeId) is { } record) await Detach(record, _ => true);
    }

    /// <summary>Everything of the record, and its sessions that no other staged volume uses and <paramref name="mayLogOut"/> allows.</summary>
    async Task Detach(StageRecord record, Func<string, bool> mayLogOut)
    {
        string volumeId = record.VolumeId;
        var map = sysfs.MapByUuid(Uuid(record.Wwid));
        if (map is not null)
        {
            if (map.Slaves.Count > 0) await multipath.FlushBuffersAsync("/dev/" + map.Kernel);
            await FlushMap(map.Name);
        }
        // The recorded paths and any that appeared after: all with this volume's WWID; a recorded address now holding
        // another LUN (reused meanwhile) is not ours to delete.
        var paths = record.Paths.Select(sysfs.Path).OfType<ScsiPath>().Where(p => p.Wwid == record.Wwid)
            .Concat(sysfs.PathsByWwid(record.Wwid)).DistinctBy(p => p.Hctl).ToList();
        foreach (var p in paths)
        {
            if (p.Block is not null) await multipath.ForgetPathAsync(p.Block);
            sysfs.Delete(p.Hctl);
        }
        // A ghost (a map left with no slaves) goes only when its UUID is exactly ours.
        if (sysfs.MapByUuid(Uuid(record.Wwid)) is { Slaves.Count: 0 } ghost) await multipath.RemoveAsync(ghost.Name);

        if (record.Transport == PublishContext.Iscsi && record.TargetIqn is { } target)
        {
            await SessionLock.WaitAsync();
            try
            {
                var others = store.All().Where(r => r.VolumeId != volumeId && r.TargetIqn == target).SelectMany(r => r.Portals).ToHashSet();
                foreach (var portal in record.Portals.Where(p => !others.Contains(p) && mayLogOut(p)))
                {
                    var ep = IPEndPoint.Parse(portal);
                    if (await Find(target, ep) is not null) await iscsi.LogoutAsync(target, ep);
                    await iscsi.DeleteNodeAsync(target, ep);
                }
            }
            finally
            {
                SessionLock.Release();
            }
        }
        store.Delete(volumeId);
    }

    /// <summary>multipath -f fails while something still holds the map (a late close after umount): bounded retries.</summary>
    async Task FlushMap(string name)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (await multipath.FlushAsync(name)) return;
            if (attempt >= _t.FlushAttempts)
                throw new CsiException(CsiFault.FailedPrecondition, $"multipath map {name} is still in use after {attempt} flush attempts");
            await Task.Delay(_t.FlushRetry);
        }
    }

    public Task SetReadOnlyAsync(string volumeId, bool readOnly) =>
        readOnly ? throw CsiException.Invalid($"volume {volumeId}: a read-only raw block publish is not supported for SAN volumes (publish it read-only through ControllerPublish)")
            : Task.CompletedTask;

    /// <summary>Each path re-reads its capacity, then multipathd resizes the map to it.</summary>
    public async Task GrowDeviceAsync(string volumeId, CapacityRange? range)
    {
        var record = store.Load(volumeId) ?? throw new CsiException(CsiFault.NotFound, $"volume {volumeId} is not staged on this node");
        var paths = sysfs.PathsByWwid(record.Wwid);
        foreach (var p in paths) sysfs.Rescan(p.Hctl);
        var map = sysfs.MapByUuid(Uuid(record.Wwid)) ?? throw new CsiException(CsiFault.NotFound, $"volume {volumeId}: no multipath map");
        long size = sysfs.PathsByWwid(record.Wwid).Select(p => p.SizeBytes).DefaultIfEmpty(0).Max();
        if (map.SizeBytes >= size) return;
        await multipath.ResizeAsync(map.Name, size);
        // The filesystem grows to the map's size next: a map that did not follow its paths is an error, not a smaller success.
        long now = sysfs.MapByUuid(Uuid(record.Wwid))?.SizeBytes ?? 0;
        if (now < size)
            throw new CsiException(CsiFault.Unavailable, $"multipath map {map.Name} has {now} bytes after the resize, its paths {size}");
    }

    /// <summary>Failed paths by name (the kernel's view in the map, and paths whose SCSI state is not running).</summary>
    public async Task<string?> ProblemAsync(string volumeId)
    {
        if (store.Load(volumeId) is not { } record) return $"volume {volumeId} is not staged on this node";
        var map = sysfs.MapByUuid(Uuid(record.Wwid));
        if (map is null) return $"the multipath map of volume {volumeId} ({Uuid(record.Wwid)}) is gone";
        var failed = (await multipath.FailedPathsAsync(map.Name)).Select(mm => sysfs.BlockName(mm) ?? mm).ToHashSet();
        foreach (var p in sysfs.PathsByWwid(record.Wwid))
            if (p.State != "running" && p.Block is not null) failed.Add(p.Block);
        if (map.Slaves.Count == 0) return $"multipath map {map.Name} has no paths";
        return failed.Count == 0 ? null
            : $"multipath map {map.Name}: failed path(s) {string.Join(", ", failed.Order(StringComparer.Ordinal))} of {map.Slaves.Count}";
    }

    static string Hctl(int h, int c, int t, int l) => string.Create(CultureInfo.InvariantCulture, $"{h}:{c}:{t}:{l}");

}

/// <summary>Deadlines of the node's waits; tests shorten them.</summary>
internal sealed record SanNodeTimings
{
    public TimeSpan Paths { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Map { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the map may take to appear by itself (multipathd on a uevent) before its missing paths are handed to multipath, and again between hand-overs.</summary>
    public TimeSpan MapAsk { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);
    public int FlushAttempts { get; init; } = 10;
    public TimeSpan FlushRetry { get; init; } = TimeSpan.FromSeconds(1);
}
