using System.Diagnostics;

namespace Cdd.Testing;

/// <summary>
/// Polls for something a test waits on (a file, a log line, a cache catching up). On timeout it fails naming what it
/// waited for and the last value it saw. An exception from the probe is not retried: it ends the wait (a process that
/// died while we waited for it says so at once instead of after the timeout).
/// </summary>
public static class Eventually
{
    static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns the first observed value that satisfies <paramref name="done"/>.</summary>
    public static T Until<T>(string what, Func<T> observe, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = observe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout) throw Timeout(what, timeout, value);
            Thread.Sleep(interval ?? DefaultInterval);
        }
    }

    public static void True(string what, Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        Until(what, condition, c => c, timeout, interval);

    public static async Task<T> UntilAsync<T>(string what, Func<Task<T>> observe, Func<T, bool> done, TimeSpan timeout,
        TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await observe();
            if (done(value)) return value;
            if (clock.Elapsed > timeout) throw Timeout(what, timeout, value);
            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    public static Task TrueAsync(string what, Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        UntilAsync(what, condition, c => c, timeout, interval);

    public static Task TrueAsync(string what, Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null) =>
        UntilAsync(what, () => Task.FromResult(condition()), c => c, timeout, interval);

    static TimeoutException Timeout<T>(string what, TimeSpan timeout, T last) =>
        new($"waited {timeout.TotalSeconds:0.###} s for {what}; last observed: {Describe(last)}");

    static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => $"\"{(s.Length > 2000 ? "..." + s[^2000..] : s)}\"",
        _ => value.ToString() ?? "null",
    };
}
