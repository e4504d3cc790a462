using Csi.V1;
using Grpc.Core;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>Requests as kubelet and the sidecars build them, the kubelet paths they use, and the checks every conformance class shares.</summary>
public static class CsiRequests
{
    public const long Mi = 1 << 20;

    public static string Staging(string name) => $"/var/lib/kubelet/plugins/kubernetes.io/csi/lvm.cdd.io/{name}/globalmount";

    public static string Target(string name) => $"/var/lib/kubelet/pods/pod-{name}/volumes/kubernetes.io~csi/{name}/mount";

    public static VolumeCapability Cap(string fs = "ext4", Mode mode = Mode.SingleNodeWriter, params string[] flags) => new()
    {
        Mount = new VolumeCapability.Types.MountVolume { FsType = fs, MountFlags = { flags } },
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = mode },
    };

    public static VolumeCapability BlockCap(Mode mode = Mode.SingleNodeWriter) => new()
    {
        Block = new VolumeCapability.Types.BlockVolume(),
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = mode },
    };

    public static CreateVolumeRequest CreateReq(string name, long bytes, bool thin = false, string fs = "ext4")
    {
        var r = new CreateVolumeRequest
        {
            Name = name,
            CapacityRange = new CapacityRange { RequiredBytes = bytes },
            VolumeCapabilities = { Cap(fs) },
            Parameters = { ["volumeGroup"] = CsiGuest.Vg, ["fsType"] = fs },
        };
        if (thin) r.Parameters["thinPool"] = CsiGuest.Pool;
        return r;
    }

    public static NodeStageVolumeRequest StageReq(Volume v, string name, VolumeCapability? cap = null) => new()
    {
        VolumeId = v.VolumeId,
        StagingTargetPath = Staging(name),
        VolumeCapability = cap ?? Cap(),
        VolumeContext = { v.VolumeContext },
    };

    public static NodePublishVolumeRequest PublishReq(Volume v, string name, bool readOnly = false, VolumeCapability? cap = null) => new()
    {
        VolumeId = v.VolumeId,
        StagingTargetPath = Staging(name),
        TargetPath = Target(name),
        VolumeCapability = cap ?? Cap(),
        Readonly = readOnly,
    };

    /// <summary>
    /// Every ID a paged listing hands out, two per page (each page must hold one or two), following next_token until it
    /// is empty; <paramref name="list"/> answers one page for a starting token.
    /// </summary>
    public static async Task<List<string>> PageThrough(Func<ListPage, Task<(IEnumerable<string> Ids, string NextToken)>> list)
    {
        var seen = new List<string>();
        string token = "";
        int pages = 0;
        do
        {
            var (ids, next) = await list(new ListPage(2, token));
            var page = ids.ToList();
            Assert.InRange(page.Count, 1, 2);
            seen.AddRange(page);
            token = next;
            pages++;
        } while (token.Length > 0 && pages < 100);
        return seen;
    }

    public sealed record ListPage(int MaxEntries, string StartingToken);

    public static async Task<RpcException> Fails(StatusCode code, Task call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.True(code == e.StatusCode, $"expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        return e;
    }

    /// <summary>Nothing of the volume left in the guest: no LV, no device node, no dm table, no mount.</summary>
    public static void AssertGone(Cdd.Vm.Vm vm, string volumeId, string name)
    {
        string lv = volumeId.Split('/')[1];
        string dmName = $"{CsiGuest.Vg}-{lv.Replace("-", "--")}";
        var r = vm.Run($"""
            lvs --noheadings -o lv_name {CsiGuest.Vg} | grep -w {lv} && echo LV-LEFT
            test -e /dev/{CsiGuest.Vg}/{lv} && echo DEVICE-LEFT
            dmsetup ls | grep -w {dmName} && echo DM-LEFT
            grep -e '{Staging(name)}' -e '{Target(name)}' /proc/mounts && echo MOUNT-LEFT
            true
            """);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.DoesNotContain("LEFT", r.Stdout);
    }
}
