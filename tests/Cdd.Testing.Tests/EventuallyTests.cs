using System.Diagnostics;

namespace Cdd.Testing.Tests;

[Tier(Tier.Unit)]
public sealed class EventuallyTests
{
    [Fact]
    public void Returns_the_first_value_that_satisfies_the_condition()
    {
        int calls = 0;
        int seen = Eventually.Until("the counter to reach 3", () => ++calls, n => n >= 3, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        Assert.Equal(3, seen);
        Assert.Equal(3, calls);
    }

    [Fact]
    public void Times_out_naming_what_it_awaited_and_the_last_value_it_saw()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() =>
            Eventually.Until("the file /x", () => "still missing", s => s == "there", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), $"gave up after {clock.Elapsed}");
        Assert.Equal("waited 0.2 s for the file /x; last observed: \"still missing\"", e.Message);
    }

    [Fact]
    public void An_exception_from_the_probe_ends_the_wait_at_once()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InvalidOperationException>(() =>
            Eventually.True("a process that died", () => throw new InvalidOperationException("it exited 3"), TimeSpan.FromMinutes(5)));
        Assert.Equal("it exited 3", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_async_form_awaits_the_probe_and_times_out_the_same_way()
    {
        int calls = 0;
        await Eventually.TrueAsync("three calls", async () => { await Task.Yield(); return ++calls == 3; }, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        Assert.Equal(3, calls);
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.TrueAsync("never", () => false, TimeSpan.FromMilliseconds(100)));
        Assert.Equal("waited 0.1 s for never; last observed: False", e.Message);
    }
}
