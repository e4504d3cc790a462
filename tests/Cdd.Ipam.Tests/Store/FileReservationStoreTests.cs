using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Files;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Cdd.Testing;

namespace Cdd.Ipam.Tests.Store;

[Tier(Tier.Unit)]
public sealed class FileReservationStoreTests : IDisposable
{
    readonly TempDir _dir = new("cdd-ipam-files");
    static readonly IpPool Pool = Pools.Pool("files", Pools.Segment("s", "10.5.0.0/26", "10.5.0.1", vlan: 7));

    public void Dispose() => _dir.Dispose();

    FileReservationStore Open() => FileReservationStore.Open(_dir.Path, Pool.Name, TimeSpan.FromSeconds(30));

    static Reservation Res(string address, string container) => new()
    {
        Pool = Pool.Name, Segment = "s", Address = IPAddress.Parse(address), Vlan = 7, Owner = new Owner(container, "eth0"), Node = "n1",
    };

    static AllocationRequest Req(string container, FixedIdentity? id = null) =>
        new() { Pool = Pool, Node = Pools.Node("n1"), Owner = new Owner(container, "eth0"), Fixed = id };

    [Fact]
    public async Task A_claimed_address_cannot_be_claimed_again()
    {
        using var store = Open();
        Assert.NotNull(await store.TryClaimAsync(Res("10.5.0.9", "a"), default));
        Assert.Null(await store.TryClaimAsync(Res("10.5.0.9", "b"), default));
        var held = Assert.Single((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
        Assert.Equal("a", held.Owner!.ContainerId);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "files", "10.5.0.9")));
    }

    [Fact]
    public async Task A_claim_won_or_lost_leaves_no_file_but_the_reservation()
    {
        using var store = Open();
        Assert.NotNull(await store.TryClaimAsync(Res("10.5.0.9", "a"), default));
        Assert.Null(await store.TryClaimAsync(Res("10.5.0.9", "b"), default));
        Assert.Equal(["10.5.0.9", "lock"], Directory.EnumerateFiles(Path.Combine(_dir.Path, "files")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_claim_file_of_a_dead_writer_is_swept_at_open_and_never_holds_its_address()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_dir.Path, "files")).FullName;
        string dead = Path.Combine(dir, ".claim.99999999.10.5.0.9"); // beyond pid_max: no such process
        string alive = Path.Combine(dir, ".claim.1.10.5.0.10");       // init lives: a writer that ignored the lock is spared
        await File.WriteAllTextAsync(dead, "{}");
        await File.WriteAllTextAsync(alive, "{}");
        using var store = Open();
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(alive));
        Assert.Empty((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
        Assert.NotNull(await store.TryClaimAsync(Res("10.5.0.9", "a"), default));
    }

    [Fact]
    public async Task Every_field_survives_the_round_trip_through_the_file()
    {
        using var store = Open();
        var r = Res("10.5.0.9", "a") with
        {
            Owner = new Owner("a", "net1") { PodNamespace = "db", PodName = "mysql-3", PodUid = "u-1", Network = "mysqlnet" },
            Fixed = FixedIdentity.Member("db", "mysql", 3),
        };
        await store.TryClaimAsync(r, default);
        var back = Assert.Single((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
        Assert.Equal(r with { Version = "1" }, back);
    }

    [Fact]
    public async Task A_release_with_a_stale_version_or_another_owner_leaves_the_file()
    {
        using var store = Open();
        var claimed = (await store.TryClaimAsync(Res("10.5.0.9", "a"), default))!;
        var moved = (await store.TryReplaceAsync(claimed, claimed with { Owner = new Owner("b", "eth0") }, default))!;
        Assert.False(await store.TryReleaseAsync(claimed, default));
        Assert.False(await store.TryReleaseAsync(moved with { Owner = new Owner("a", "eth0") }, default));
        Assert.True(await store.TryReleaseAsync(moved, default));
        Assert.Empty((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
    }

    [Fact]
    public async Task A_file_left_empty_by_a_crash_keeps_its_address_taken()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "files"));
        File.WriteAllText(Path.Combine(_dir.Path, "files", "10.5.0.2"), "");
        using var store = Open();
        var got = await new IpamService(store).AllocateAsync(Req("c1"));
        Assert.Equal(IPAddress.Parse("10.5.0.3"), got.Reservation.Address);
        Assert.Empty(await new IpamService(store).ReleaseAsync(Pool.Name, "", ""));
    }

    [Fact]
    public async Task A_file_left_empty_longer_than_the_grace_period_is_freed_and_reported()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "files"));
        string path = Path.Combine(_dir.Path, "files", "10.5.0.2");
        File.WriteAllText(path, "");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - FileReservationStore.DefaultReclaimAfter - TimeSpan.FromSeconds(5));
        var log = new StringWriter();
        using var store = FileReservationStore.Open(_dir.Path, Pool.Name, TimeSpan.FromSeconds(30), log: log);
        var got = await new IpamService(store).AllocateAsync(Req("c1"));
        Assert.Equal(IPAddress.Parse("10.5.0.2"), got.Reservation.Address);
        Assert.Equal([IPAddress.Parse("10.5.0.2")], store.Reclaimed);
        Assert.Contains("event=ipam.reclaim pool=files address=10.5.0.2", log.ToString());
    }

    [Fact]
    public async Task A_file_of_garbage_within_the_grace_period_is_left_alone()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "files"));
        string path = Path.Combine(_dir.Path, "files", "10.5.0.2");
        File.WriteAllText(path, "{not json");
        using var store = FileReservationStore.Open(_dir.Path, Pool.Name, TimeSpan.FromSeconds(30), log: TextWriter.Null);
        Assert.Single((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
        Assert.Empty(store.Reclaimed);
        Assert.True(File.Exists(path));
    }

    [Theory]
    [InlineData("""{"segment":"s","generation":1,"owner":{"ifname":"eth0"}}""")]
    [InlineData("""{"segment":"s","generation":1,"fixed":{"namespace":"db","statefulSet":"m","key":"k","ordinal":0}}""")]
    public async Task A_file_whose_holder_or_identity_cannot_be_read_keeps_its_address_taken_and_unversioned(string json)
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "files"));
        File.WriteAllText(Path.Combine(_dir.Path, "files", "10.5.0.2"), json);
        using var store = Open();
        var held = Assert.Single((await store.SnapshotAsync(Pool.Name, true, default)).Reservations);
        Assert.Null(held.Owner);
        Assert.Null(held.Fixed);
        Assert.Null(held.Version); // never freed by a DEL, never handed out
        Assert.Equal(IPAddress.Parse("10.5.0.3"), (await new IpamService(store).AllocateAsync(Req("c1"))).Reservation.Address);
    }

    [Fact]
    public async Task The_cursor_survives_between_runs_so_a_freed_address_waits_its_turn()
    {
        using (var store = Open())
        {
            await new IpamService(store).AllocateAsync(Req("c1"));
            await new IpamService(store).ReleaseAsync(Pool.Name, "c1", "eth0");
        }
        using var again = Open();
        var got = await new IpamService(again).AllocateAsync(Req("c2"));
        Assert.Equal(IPAddress.Parse("10.5.0.3"), got.Reservation.Address);
    }

    [Fact]
    public void A_pool_locked_by_another_run_is_unavailable_after_the_timeout()
    {
        using var holder = Open();
        var ex = Assert.Throws<StoreUnavailableException>(() => FileReservationStore.Open(_dir.Path, Pool.Name, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("files", ex.Message);
    }

    [Fact]
    public async Task Parallel_runs_each_opening_the_store_fill_the_pool_without_duplicates()
    {
        int capacity = (int)new SegmentAddresses(Pool.Segments[0]).Count();
        var tasks = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var got = new List<IPAddress>();
            for (int i = worker; i < capacity; i += 4)
            {
                // One open per allocation, like one plugin exec per pod.
                using var store = Open();
                got.Add((await new IpamService(store).AllocateAsync(Req($"w{worker}-{i}"))).Reservation.Address);
            }
            return got;
        })).ToArray();
        var all = (await Task.WhenAll(tasks)).SelectMany(x => x).ToList();
        Assert.Equal(capacity, all.Distinct().Count());
        using var check = Open();
        var ex = await Assert.ThrowsAsync<IpamException>(() => new IpamService(check).AllocateAsync(Req("one-too-many")));
        Assert.Equal(IpamErrorKind.PoolExhausted, ex.Kind);
    }

    [Fact]
    public async Task A_fixed_identity_returns_to_its_address_after_del()
    {
        var id = FixedIdentity.Member("db", "mysql", 0);
        using var store = Open();
        var ipam = new IpamService(store);
        var first = await ipam.AllocateAsync(Req("c1", id));
        await ipam.AllocateAsync(Req("filler"));
        await ipam.ReleaseAsync(Pool.Name, "c1", "eth0");
        var again = await ipam.AllocateAsync(Req("c2", id));
        Assert.Equal(first.Reservation.Address, again.Reservation.Address);
        var onDisk = (await store.SnapshotAsync(Pool.Name, true, default)).Reservations.Single(r => r.Fixed == id);
        Assert.Equal(again.Reservation, onDisk);
        Assert.Equal("c2", onDisk.Owner!.ContainerId);
    }
}
