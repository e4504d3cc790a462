namespace Cdd.Csi.Lvm;

/// <summary>
/// Test hook for crash safety: with CDD_CSI_TEST_CRASH=before-create|after-create|after-snapshot the driver SIGKILLs itself
/// (as kill -9 would) at exactly that point of an lvm2 call, so the VM tests hit the worst moment every time, not by luck.
/// Unset (always, in a deployment), <see cref="Wrap"/> returns the real <see cref="ILvm"/> untouched.
/// </summary>
internal sealed class CrashHook(ILvm inner, string point) : ILvm
{
    public const string Variable = "CDD_CSI_TEST_CRASH";
    static readonly string[] Points = ["before-create", "after-create", "after-snapshot"];

    public static ILvm Wrap(ILvm inner, string? point)
    {
        if (string.IsNullOrEmpty(point)) return inner;
        if (!Points.Contains(point)) throw new ArgumentException($"{Variable}={point}: expected one of {string.Join(", ", Points)}");
        return new CrashHook(inner, point);
    }

    public Task<IReadOnlyList<VgInfo>> VolumeGroupsAsync() => inner.VolumeGroupsAsync();

    public Task<IReadOnlyList<LvInfo>> LogicalVolumesAsync(string vg) => inner.LogicalVolumesAsync(vg);

    public Task<VgReport?> ReportAsync(string vg) => inner.ReportAsync(vg);

    public async Task CreateAsync(string vg, string name, long sizeBytes, string? thinPool, IReadOnlyList<string> tags)
    {
        Crash("before-create");
        await inner.CreateAsync(vg, name, sizeBytes, thinPool, tags);
        Crash("after-create");
    }

    public async Task SnapshotAsync(string vg, string origin, string name, IReadOnlyList<string> tags, bool activate)
    {
        await inner.SnapshotAsync(vg, origin, name, tags, activate);
        Crash("after-snapshot");
    }

    public Task SetReadOnlyAsync(string vg, string name, bool readOnly) => inner.SetReadOnlyAsync(vg, name, readOnly);

    public Task RemoveAsync(string vg, string name) => inner.RemoveAsync(vg, name);

    public Task ExtendAsync(string vg, string name, long sizeBytes) => inner.ExtendAsync(vg, name, sizeBytes);

    void Crash(string at)
    {
        if (at != point) return;
        Console.Error.WriteLine($"csi.test-crash {at}");
        // Process.Kill sends SIGKILL to ourselves: no finally blocks, no flush, no reply, exactly like kill -9.
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
