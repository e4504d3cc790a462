using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class WorkQueueTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly Backoff B = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_cap()
    {
        Assert.Equal(TimeSpan.Zero, B.Delay(0));
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => B.Delay(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(30), B.Delay(int.MaxValue));
    }

    [Fact]
    public void A_key_added_twice_is_queued_once_at_the_earlier_time()
    {
        var q = new WorkQueue<string>(B);
        q.Add("a", T0.AddSeconds(5));
        q.Add("a", T0.AddSeconds(1));
        q.Add("a", T0.AddSeconds(9));
        Assert.Equal(1, q.Count);
        Assert.Equal(T0.AddSeconds(1), q.NextDue);
        Assert.False(q.TryTake(T0, out _));
        Assert.True(q.TryTake(T0.AddSeconds(1), out var k));
        Assert.Equal("a", k);
        Assert.False(q.TryTake(T0.AddSeconds(100), out _));
    }

    [Fact]
    public void Keys_come_out_in_due_order()
    {
        var q = new WorkQueue<string>(B);
        q.Add("late", T0.AddSeconds(2));
        q.Add("early", T0);
        Assert.True(q.TryTake(T0.AddSeconds(3), out var first));
        Assert.True(q.TryTake(T0.AddSeconds(3), out var second));
        Assert.Equal(("early", "late"), (first, second));
    }

    [Fact]
    public void A_failing_key_is_retried_after_a_growing_backoff_and_success_resets_it()
    {
        var q = new WorkQueue<string>(B);
        q.Add("a", T0);
        var now = T0;
        foreach (int expected in new[] { 1, 2, 4, 8 })
        {
            Assert.True(q.TryTake(now, out _));
            Assert.Equal(TimeSpan.FromSeconds(expected), q.Done("a", succeeded: false, now));
            Assert.False(q.TryTake(now + TimeSpan.FromSeconds(expected) - TimeSpan.FromTicks(1), out _));
            now += TimeSpan.FromSeconds(expected);
        }
        Assert.Equal(4, q.Failures("a"));
        Assert.True(q.TryTake(now, out _));
        Assert.Null(q.Done("a", succeeded: true, now));
        Assert.Equal(0, q.Failures("a"));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void A_key_added_while_processing_is_not_handed_out_twice_but_queued_again_when_done()
    {
        var q = new WorkQueue<string>(B);
        q.Add("a", T0);
        Assert.True(q.TryTake(T0, out _));
        q.Add("a", T0);
        Assert.False(q.TryTake(T0, out _));
        q.Done("a", succeeded: true, T0);
        Assert.True(q.TryTake(T0, out _));
    }

    [Fact]
    public void A_key_added_while_a_failing_pass_runs_waits_for_the_backoff()
    {
        var q = new WorkQueue<string>(B);
        q.Add("a", T0);
        Assert.True(q.TryTake(T0, out _));
        q.Add("a", T0);
        q.Done("a", succeeded: false, T0);
        Assert.Equal(1, q.Count);
        Assert.Equal(T0.AddSeconds(1), q.NextDue);
    }
}
