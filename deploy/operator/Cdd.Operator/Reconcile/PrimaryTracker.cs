using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Cdd.Operator.Primary;
using k8s;
using k8s.Autorest;
using MySqlConnector;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Connects the reconciler to the <see cref="PrimaryWatcher"/>: each pass hands over a cluster's members and their fixed
/// addresses (<see cref="TrackAsync"/>); the tracker reads the cluster's credentials Secret, builds one MySQL endpoint
/// per member and watches the group. When the watcher reports a change it labels the primary's pod
/// <c>cdd.io/role=primary</c> (so <c>&lt;cluster&gt;-primary</c> follows it) and queues the cluster so its status says
/// the new role at once rather than at the next resync. Watcher keys are <c>namespace/name</c>.
/// </summary>
public sealed class PrimaryTracker : IRoleSink
{
    readonly IKubernetes _client;
    readonly Func<IPAddress, (string Host, int Port)> _endpointOf;
    readonly ConcurrentDictionary<string, string> _fingerprints = new();

    /// <param name="endpointOf">Where a member's MySQL answers; its fixed address on port 3306 unless a test maps it.</param>
    public PrimaryTracker(IKubernetes client, PrimaryWatcherOptions? options = null, Func<IPAddress, (string Host, int Port)>? endpointOf = null)
    {
        _client = client;
        _endpointOf = endpointOf ?? (ip => (ip.ToString(), MemberObjects.MySqlPort));
        Watcher = new PrimaryWatcher(this, options);
    }

    public PrimaryWatcher Watcher { get; }

    /// <summary>Called with (namespace, name) after a role change was applied to the pods; the controller queues it.</summary>
    public Action<(string Ns, string Name)>? Changed { get; set; }

    /// <summary>
    /// Starts or updates the watch of <paramref name="spec"/>'s members; the PrimaryTracked condition it results in.
    /// A missing Secret or key stops the watch and says which (never a value).
    /// </summary>
    public async Task<(string Type, bool Status, string Reason, string Message)> TrackAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        var (endpoints, problem) = await EndpointsCoreAsync(spec, addresses, ct);
        if (problem is not null)
        {
            Forget(spec.Namespace, spec.Name);
            return ("PrimaryTracked", false, "CredentialsUnavailable", problem);
        }
        var members = Enumerable.Range(0, spec.Members)
            .Select(i => new MemberIdentity(MemberObjects.PodName(spec.Name, i), addresses.TryGetValue(i, out var ip) ? ip.ToString() : null)).ToList();
        // Re-register only when something changed (members, addresses or credentials), so a converged pass costs one GET.
        string fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', endpoints.Concat(members.Select(m => $"{m.PodName}={m.FixedIp}"))))));
        if (!_fingerprints.TryGetValue(spec.Key, out var old) || old != fingerprint)
        {
            Watcher.Watch(new WatchedCluster(spec.Key, endpoints, members));
            _fingerprints[spec.Key] = fingerprint;
        }
        return ("PrimaryTracked", true, "Watching", $"reading replication_group_members from {endpoints.Count} member(s) every {Watcher.Options.PollInterval.TotalSeconds:0.#} s");
    }

    /// <summary>The members' connection strings (credentials included) for the promoter; empty when the Secret is unusable.</summary>
    public async Task<IReadOnlyList<string>> EndpointsAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct) =>
        (await EndpointsCoreAsync(spec, addresses, ct)).Endpoints;

    public void Forget(string ns, string name)
    {
        Watcher.Unwatch($"{ns}/{name}");
        _fingerprints.TryRemove($"{ns}/{name}", out _);
    }

    async Task<(IReadOnlyList<string> Endpoints, string? Problem)> EndpointsCoreAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        k8s.Models.V1Secret secret;
        try
        {
            secret = await _client.CoreV1.ReadNamespacedSecretAsync(spec.CredentialsSecret, spec.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return ([], $"Secret {spec.Namespace}/{spec.CredentialsSecret} cannot be read ({(int)e.Response.StatusCode}): the primary is not tracked");
        }
        string? Key(string k) => secret.Data is { } d && d.TryGetValue(k, out var v) ? Encoding.UTF8.GetString(v)
            : secret.StringData is { } s && s.TryGetValue(k, out var sv) ? sv : null;
        var user = Key(ClusterSpec.UsernameKey);
        var password = Key(ClusterSpec.PasswordKey);
        if (string.IsNullOrEmpty(user) || password is null)
            return ([], $"Secret {spec.Namespace}/{spec.CredentialsSecret} lacks the key \"{(string.IsNullOrEmpty(user) ? ClusterSpec.UsernameKey : ClusterSpec.PasswordKey)}\": the primary is not tracked");
        var endpoints = new List<string>();
        foreach (var (_, ip) in addresses.Where(kv => kv.Key < spec.Members).OrderBy(kv => kv.Key))
        {
            var (host, port) = _endpointOf(ip);
            endpoints.Add(new MySqlConnectionStringBuilder
            {
                Server = host, Port = (uint)port, UserID = user, Password = password, Pooling = false,
            }.ConnectionString);
        }
        return (endpoints, null);
    }

    async Task IRoleSink.SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct)
    {
        int slash = cluster.IndexOf('/');
        string ns = cluster[..slash], name = cluster[(slash + 1)..];
        await new KubeRoleSink(_client, ns).SetPrimaryAsync(name, observation, ct);
        Changed?.Invoke((ns, name));
    }
}
