using Cdd.Ipam.Store;

namespace Cdd.Ipam.Kube.Store;

/// <summary>Runs a read until the API server answers it; after the last try the store is unavailable.</summary>
internal static class Retrier
{
    public static async Task<T> RunAsync<T>(string what, KubeStoreOptions options, Func<CancellationToken, Task<T>> op, CancellationToken ct, KubeStoreStats? stats = null)
    {
        var delay = options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await op(ct);
            }
            catch (Exception e) when (ApiFailure.IsTransient(e, ct))
            {
                delay = await PauseAsync(what, e, attempt, delay, options, ct, stats);
            }
        }
    }

    /// <summary>Waits before the next try and returns the pause after it, doubled.</summary>
    public static async Task<TimeSpan> PauseAsync(string what, Exception failure, int attempt, TimeSpan delay, KubeStoreOptions options, CancellationToken ct, KubeStoreStats? stats = null)
    {
        if (attempt >= options.Attempts)
            throw new StoreUnavailableException($"{what}: the API server did not answer after {attempt} tries (last: {ApiFailure.Describe(failure)})");
        if (stats is not null) Interlocked.Increment(ref stats._retries);
        await Task.Delay(delay, ct);
        return delay * 2;
    }
}
