using System.Text.Json.Nodes;
using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.San;
using Cdd.Csi.San.Pool;
using Cdd.Testing;
using Cdd.Testing.Kube;
using Csi.V1;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.San;

/// <summary>
/// The pool array against the in-process Kubernetes API server (Cdd.Testing's, as the IPAM store's tests use): claims are
/// atomic across two controllers, the smallest fitting LUN is taken, a deleted LUN is wiped before it is offered again.
/// </summary>
[Tier(Tier.Unit)]
public sealed class PoolArrayTests : IDisposable
{
    readonly FakeKubeApiServer _api = new FakeKubeApiServer()
        .Serve("cdd.io", "v1", PoolArray.Luns, "SanLun").Serve("cdd.io", "v1", PoolArray.Claims, "SanLunClaim");
    readonly List<HttpClient> _http = [];
    readonly RecordingWiper _wiper;

    public PoolArrayTests() => _wiper = new RecordingWiper(this);

    public void Dispose()
    {
        foreach (var h in _http) h.Dispose();
        _api.Dispose();
    }

    sealed class RecordingWiper(PoolArrayTests t) : ILunWiper
    {
        public List<(string Wwid, long Size, bool ClaimHeld)> Wiped { get; } = [];

        public async Task WipeAsync(PublishContext lun, long sizeBytes)
        {
            bool held = (await t.Kube().ListAsync(PoolArray.Claims)).Any(c => c["spec"]!["wwid"]!.GetValue<string>() == lun.Wwid);
            lock (Wiped) Wiped.Add((lun.Wwid, sizeBytes, held));
        }
    }

    KubeRest Kube()
    {
        var h = new HttpClient { BaseAddress = _api.BaseAddress };
        lock (_http) _http.Add(h);
        return new KubeRest(h);
    }

    SanBackend Controller() => new(new DriverOptions { NodeId = "c", Controller = true }, new PoolArray(Kube(), _wiper), new Locks());

    static string Wwid(int i) => "36001405" + i.ToString("x25");

    async Task AddLuns(int count, Func<int, long> size)
    {
        var kube = Kube();
        for (int i = 1; i <= count; i++)
            await kube.CreateAsync(PoolArray.Luns, new JsonObject
            {
                ["apiVersion"] = "cdd.io/v1", ["kind"] = "SanLun",
                ["metadata"] = new JsonObject { ["name"] = $"lun-{i}" },
                ["spec"] = new JsonObject
                {
                    ["wwid"] = Wwid(i), ["sizeBytes"] = size(i), ["transport"] = "fc", ["lun"] = i, ["serial"] = $"SER{i}",
                },
            });
    }

    static CreateVolumeRequest Create(string name, long bytes = 1L << 30) => new()
    {
        Name = name,
        CapacityRange = new CapacityRange { RequiredBytes = bytes },
        Parameters = { ["backend"] = "san", ["array"] = "pool", ["fsType"] = "ext4" },
        VolumeCapabilities = { new VolumeCapability { Mount = new(), AccessMode = new() { Mode = Mode.SingleNodeWriter } } },
    };

    [Fact]
    public async Task Twenty_concurrent_creates_on_two_controllers_against_ten_luns_give_each_lun_once_and_refuse_the_rest()
    {
        await AddLuns(10, _ => 2L << 30);
        var a = Controller();
        var b = Controller();
        var calls = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try { return (await (i % 2 == 0 ? a : b).CreateVolume(Create($"pvc-{i}"))).Volume.VolumeId; }
            catch (CsiException e) when (e.Fault == CsiFault.ResourceExhausted) { return "exhausted"; }
        })).ToList();
        var results = await Task.WhenAll(calls);
        var given = results.Where(r => r != "exhausted").ToList();
        Assert.Equal(10, given.Count);
        Assert.Equal(10, given.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => "pool:" + Wwid(i)).Order(), given.Order());
        Assert.Equal(10, (await Kube().ListAsync(PoolArray.Claims)).Count);
    }

    [Fact]
    public async Task Create_takes_the_smallest_free_lun_that_fits_and_a_repeated_create_returns_it_again()
    {
        await AddLuns(3, i => i switch { 1 => 4L << 30, 2 => 1L << 30, _ => 2L << 30 });
        var c = Controller();
        var v = (await c.CreateVolume(Create("pvc-a", 1536L << 20))).Volume;
        Assert.Equal(("pool:" + Wwid(3), 2L << 30), (v.VolumeId, v.CapacityBytes));
        Assert.Equal(v.VolumeId, (await c.CreateVolume(Create("pvc-a", 1536L << 20))).Volume.VolumeId);
        Assert.Single(await Kube().ListAsync(PoolArray.Claims));
        var e = await Assert.ThrowsAsync<CsiException>(() => c.CreateVolume(Create("pvc-b", 8L << 30)));
        Assert.Equal(CsiFault.ResourceExhausted, e.Fault);
    }

    [Fact]
    public async Task A_deleted_lun_is_wiped_while_still_claimed_and_only_then_offered_again()
    {
        await AddLuns(1, _ => 1L << 30);
        var c = Controller();
        var v = (await c.CreateVolume(Create("pvc-a"))).Volume;
        await Assert.ThrowsAsync<CsiException>(() => c.CreateVolume(Create("pvc-b")));
        await c.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        await c.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Equal([(Wwid(1), 1L << 30, true)], _wiper.Wiped);
        Assert.Equal(v.VolumeId, (await c.CreateVolume(Create("pvc-b"))).Volume.VolumeId);
    }

    [Fact]
    public async Task Pool_volume_does_not_grow_past_its_lun_out_of_range_naming_the_fixed_size_and_holds_what_it_has()
    {
        await AddLuns(1, _ => 1L << 30);
        var c = Controller();
        var v = (await c.CreateVolume(Create("pvc-a"))).Volume;
        var e = await Assert.ThrowsAsync<CsiException>(() => c.ControllerExpandVolume(
            new ControllerExpandVolumeRequest { VolumeId = v.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = 2L << 30 } }));
        Assert.Equal(CsiFault.OutOfRange, e.Fault);
        Assert.Contains("does not grow", e.Message);
        Assert.Contains((1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        var same = await c.ControllerExpandVolume(
            new ControllerExpandVolumeRequest { VolumeId = v.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = 1L << 30 } });
        Assert.Equal(1L << 30, same.CapacityBytes);
    }

    [Fact]
    public async Task Published_pool_lun_is_single_writer_and_not_deleted_while_published()
    {
        await AddLuns(1, _ => 1L << 30);
        var c = Controller();
        var v = (await c.CreateVolume(Create("pvc-a"))).Volume;
        var cap = Create("x").VolumeCapabilities[0];
        var ctx = (await c.ControllerPublishVolume(new ControllerPublishVolumeRequest { VolumeId = v.VolumeId, NodeId = "node-a", VolumeCapability = cap })).PublishContext;
        Assert.Equal(("fc", Wwid(1), "SER1"), (ctx["transport"], ctx["wwid"], ctx["serial"]));
        var e = await Assert.ThrowsAsync<CsiException>(() => c.ControllerPublishVolume(new ControllerPublishVolumeRequest { VolumeId = v.VolumeId, NodeId = "node-b", VolumeCapability = cap }));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Equal(CsiFault.FailedPrecondition, (await Assert.ThrowsAsync<CsiException>(() => c.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId }))).Fault);
        Assert.Empty(_wiper.Wiped);
        await c.ControllerUnpublishVolume(new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = "node-a" });
        await c.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Single(_wiper.Wiped);
    }

    [Fact]
    public async Task A_malformed_san_lun_is_never_offered()
    {
        var kube = Kube();
        await kube.CreateAsync(PoolArray.Luns, new JsonObject
        {
            ["apiVersion"] = "cdd.io/v1", ["kind"] = "SanLun", ["metadata"] = new JsonObject { ["name"] = "bad" },
            ["spec"] = new JsonObject { ["wwid"] = "../../sda", ["sizeBytes"] = 1L << 30, ["transport"] = "fc", ["lun"] = 1, ["serial"] = "S" },
        });
        var e = await Assert.ThrowsAsync<CsiException>(() => Controller().CreateVolume(Create("pvc-a")));
        Assert.Equal(CsiFault.ResourceExhausted, e.Fault);
    }
}
