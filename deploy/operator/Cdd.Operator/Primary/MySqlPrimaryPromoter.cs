using Cdd.Operator.Model;
using MySqlConnector;

namespace Cdd.Operator.Primary;

/// <summary>
/// Moves a cluster's PRIMARY role with <c>group_replication_set_as_primary(MEMBER_ID)</c>. Asks the cluster's members
/// in the order <paramref name="endpoints"/> gives (the primary watcher's connection strings, credentials included)
/// until one answers with a usable view of the group (<see cref="PromotionDecision.Decide"/>), and calls the function
/// on that same connection. A target already ONLINE PRIMARY is left alone, so a repeated call changes nothing.
/// Reads use <see cref="PrimaryWatcherOptions.Schema"/> and <see cref="PrimaryWatcherOptions.QueryTimeout"/>; the call
/// gets <see cref="PrimaryWatcherOptions.PromoteTimeout"/>. Failures are <see cref="PrimaryPromotionException"/>.
/// </summary>
internal sealed class MySqlPrimaryPromoter(
    Func<ClusterSpec, CancellationToken, Task<IReadOnlyList<string>>> endpoints,
    PrimaryWatcherOptions? options = null) : IPrimaryPromoter
{
    public const string SetAsPrimary = "SELECT group_replication_set_as_primary(@id)";

    readonly PrimaryWatcherOptions _options = options ?? new PrimaryWatcherOptions();

    public string? Unavailable => null;

    public async Task PromoteAsync(ClusterSpec cluster, string memberPod, string memberHost, CancellationToken ct)
    {
        string target = $"{memberPod} ({memberHost})";
        string what = $"promoting {target} to primary of {cluster.Key}";
        var list = await endpoints(cluster, ct);
        var skipped = new List<string>();
        foreach (var endpoint in list)
        {
            string where = GroupMembersReader.HostPort(endpoint);
            MySqlConnection conn;
            IReadOnlyList<GroupMemberRow> rows;
            try
            {
                (conn, rows) = await AskAsync(endpoint, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                skipped.Add($"{where}: {(e is OperationCanceledException or TimeoutException ? "timed out" : e.Message)}");
                continue;
            }
            await using (conn)
            {
                var decision = PromotionDecision.Decide(rows, memberHost);
                switch (decision.Action)
                {
                    case PromotionAction.AskAnother:
                        skipped.Add($"{where}: {decision.Reason}");
                        continue;
                    case PromotionAction.Refuse:
                        throw new PrimaryPromotionException(cluster.Key, target, decision.Refusal!.Value,
                            $"{what}: {decision.Reason} (as {where} sees the group); nothing was changed");
                    case PromotionAction.AlreadyPrimary:
                        return;
                    default:
                        await CallAsync(conn, decision.MemberId, cluster.Key, target, what, where, ct);
                        return;
                }
            }
        }
        throw new PrimaryPromotionException(cluster.Key, target, PromotionFailure.NoMemberAnswered,
            list.Count == 0
                ? $"{what}: the cluster has no member endpoint to ask; nothing was changed"
                : $"{what}: no member could decide ({string.Join("; ", skipped)}); nothing was changed");
    }

    /// <summary>
    /// Opens and reads within twice the query timeout, even from a server that accepted the connection and never
    /// answered; a connection that opens after that is closed, not leaked.
    /// </summary>
    async Task<(MySqlConnection, IReadOnlyList<GroupMemberRow>)> AskAsync(string endpoint, CancellationToken ct)
    {
        var timeout = _options.QueryTimeout;
        var ask = OpenAndReadAsync(endpoint, timeout, ct);
        try
        {
            return await ask.WaitAsync(timeout + timeout, _options.Time, ct);
        }
        catch when (!ask.IsCompleted)
        {
            _ = ask.ContinueWith(async t =>
            {
                if (t.IsCompletedSuccessfully) await t.Result.Item1.DisposeAsync();
                else _ = t.Exception;
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
    }

    async Task<(MySqlConnection, IReadOnlyList<GroupMemberRow>)> OpenAndReadAsync(string endpoint, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout + timeout, _options.Time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var conn = await GroupMembersReader.OpenAsync(endpoint, timeout, cts.Token);
        try
        {
            return (conn, await GroupMembersReader.ReadAsync(conn, _options.Schema, cts.Token));
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    async Task CallAsync(MySqlConnection conn, string memberId, string cluster, string target, string what, string where, CancellationToken ct)
    {
        var timeout = _options.PromoteTimeout;
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = SetAsPrimary;
        cmd.Parameters.AddWithValue("@id", memberId);
        cmd.CommandTimeout = (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        object? answer;
        try
        {
            answer = await cmd.ExecuteScalarAsync(ct);
        }
        catch (MySqlException e) when (e.ErrorCode is MySqlErrorCode.CommandTimeoutExpired || !conn.State.HasFlag(System.Data.ConnectionState.Open))
        {
            // MGR may be switching already (it waits for the old primary's transactions): the watcher will tell.
            throw new PrimaryPromotionException(cluster, target, PromotionFailure.OutcomeUnknown,
                $"{what}: group_replication_set_as_primary on {where} did not answer within {cmd.CommandTimeout} s ({e.Message}); the role may still move", e);
        }
        catch (MySqlException e)
        {
            throw new PrimaryPromotionException(cluster, target, PromotionFailure.ServerRefused,
                $"{what}: group_replication_set_as_primary on {where} failed: {e.Message}", e);
        }
        Console.Error.WriteLine($"cdd-operator: primary of {cluster}: moved to {target} (MEMBER_ID {memberId}) via {where}: {answer}");
    }
}
