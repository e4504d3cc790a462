using Cdd.Operator.Extender;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Extender;

/// <summary>The TTL and the shared read, with a read the test holds open and counts.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class SnapshotCacheTests
{
    static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1);

    sealed class HeldRead
    {
        readonly Lock _lock = new();
        TaskCompletionSource<IPlacementSnapshot> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Reads { get; private set; }

        public Task<IPlacementSnapshot> Read(CancellationToken ct)
        {
            lock (_lock)
            {
                Reads++;
                _started.TrySetResult();
                return _result.Task;
            }
        }

        /// <summary>Waits for the read to begin (not a sleep: the read signals it), then answers it.</summary>
        public async Task Answer(IPlacementSnapshot snapshot) => (await Began()).SetResult(snapshot);

        public async Task Fail(Exception e) => (await Began()).SetException(e);

        async Task<TaskCompletionSource<IPlacementSnapshot>> Began()
        {
            Task started;
            lock (_lock) started = _started.Task;
            await started.WaitAsync(TimeSpan.FromSeconds(10));
            lock (_lock)
            {
                var answering = _result;
                _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return answering;
            }
        }
    }

    static FilePlacement Snapshot() => new FilePlacement(new Planner([], []), []);

    [Fact]
    public async Task Concurrent_calls_share_one_read()
    {
        var read = new HeldRead();
        var cache = new SnapshotCache(read.Read, new ManualClock(), Ttl);
        var calls = Enumerable.Range(0, 8).Select(_ => cache.CurrentAsync(CancellationToken.None).AsTask()).ToList();
        var s = Snapshot();
        await read.Answer(s);
        foreach (var c in calls) Assert.Same(s, await c);
        Assert.Equal(1, read.Reads);
    }

    [Fact]
    public async Task A_snapshot_serves_until_it_is_older_than_the_ttl_then_is_read_again()
    {
        var read = new HeldRead();
        var clock = new ManualClock();
        var cache = new SnapshotCache(read.Read, clock, Ttl);
        var first = Snapshot();
        var call = cache.CurrentAsync(CancellationToken.None).AsTask();
        await read.Answer(first);
        Assert.Same(first, await call);

        clock.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Same(first, await cache.CurrentAsync(CancellationToken.None));
        Assert.Equal(1, read.Reads);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = Snapshot();
        call = cache.CurrentAsync(CancellationToken.None).AsTask();
        await read.Answer(second);
        Assert.Same(second, await call);
        Assert.Equal(2, read.Reads);
    }

    [Fact]
    public async Task A_failed_read_fails_every_waiting_call_and_is_not_kept()
    {
        var read = new HeldRead();
        var cache = new SnapshotCache(read.Read, new ManualClock(), Ttl);
        var calls = Enumerable.Range(0, 3).Select(_ => cache.CurrentAsync(CancellationToken.None).AsTask()).ToList();
        await read.Fail(new InventoryUnavailableException("listing nodes: HTTP 500"));
        foreach (var c in calls) Assert.Equal("listing nodes: HTTP 500", (await Assert.ThrowsAsync<InventoryUnavailableException>(() => c)).Message);

        // Same instant: nothing fresh is kept, so the next call reads again.
        var s = Snapshot();
        var next = cache.CurrentAsync(CancellationToken.None).AsTask();
        await read.Answer(s);
        Assert.Same(s, await next);
        Assert.Equal(2, read.Reads);
    }

    [Fact]
    public async Task A_caller_giving_up_does_not_cancel_the_read_the_others_wait_for()
    {
        var read = new HeldRead();
        var cache = new SnapshotCache(read.Read, new ManualClock(), Ttl);
        using var cts = new CancellationTokenSource();
        var impatient = cache.CurrentAsync(cts.Token).AsTask();
        var patient = cache.CurrentAsync(CancellationToken.None).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);

        var s = Snapshot();
        await read.Answer(s);
        Assert.Same(s, await patient);
        Assert.Equal(1, read.Reads);
    }
}
