using Cdd.Csi.Lvm;

namespace Cdd.Csi.Tests.Services;

/// <summary>
/// An in-memory VG "vg1" (1 GiB, 4 MiB extents) with a thin pool "pool". While <see cref="Hold"/> is set, every VG query
/// parks until <see cref="Release"/>: a call can be frozen in the middle of its lvm2 work, deterministically.
/// </summary>
internal sealed class FakeLvm : ILvm
{
    const long Extent = 4 << 20;
    readonly List<LvInfo> _lvs = [new LvInfo("vg1", "pool", 512L << 20, [], "", "twi-aotz--", 0)];
    readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Hold { get; set; }

    /// <summary>Completes when a call has reached the held VG query.</summary>
    public TaskCompletionSource Parked { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Creates { get; private set; }

    public void Release()
    {
        Hold = false;
        _gate.TrySetResult();
    }

    public async Task<IReadOnlyList<VgInfo>> VolumeGroupsAsync()
    {
        if (Hold)
        {
            Parked.TrySetResult();
            await _gate.Task;
        }
        lock (_lvs) return [new VgInfo("vg1", 1L << 30, (1L << 30) - _lvs.Where(l => l.PoolLv == "").Sum(l => l.SizeBytes), Extent)];
    }

    public Task<IReadOnlyList<LvInfo>> LogicalVolumesAsync(string vg)
    {
        lock (_lvs) return Task.FromResult<IReadOnlyList<LvInfo>>(_lvs.ToList());
    }

    public async Task<VgReport?> ReportAsync(string vg)
    {
        var info = (await VolumeGroupsAsync()).FirstOrDefault(v => v.Name == vg);
        return info is null ? null : new VgReport(info, await LogicalVolumesAsync(vg));
    }

    public Task CreateAsync(string vg, string name, long sizeBytes, string? thinPool, IReadOnlyList<string> tags)
    {
        lock (_lvs)
        {
            Creates++;
            _lvs.Add(new LvInfo(vg, name, sizeBytes, tags.ToList(), thinPool ?? "", thinPool is null ? "-wi-a-----" : "Vwi-a-tz--", 0));
        }
        return Task.CompletedTask;
    }

    public Task SnapshotAsync(string vg, string origin, string name, IReadOnlyList<string> tags, bool activate)
    {
        lock (_lvs)
        {
            var o = _lvs.Single(l => l.Name == origin);
            _lvs.Add(o with { Name = name, Tags = tags.ToList(), Attr = activate ? "Vwi-a-tz--" : "Vwi---tz-k" });
        }
        return Task.CompletedTask;
    }

    public Task SetReadOnlyAsync(string vg, string name, bool readOnly) => Task.CompletedTask;

    public Task RemoveAsync(string vg, string name)
    {
        lock (_lvs) _lvs.RemoveAll(l => l.Name == name);
        return Task.CompletedTask;
    }

    public Task ExtendAsync(string vg, string name, long sizeBytes)
    {
        lock (_lvs)
        {
            int i = _lvs.FindIndex(l => l.Name == name);
            _lvs[i] = _lvs[i] with { SizeBytes = sizeBytes };
        }
        return Task.CompletedTask;
    }
}
