using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Primary;

/// <summary>
/// Connects the reconciler to the <see cref="PrimaryWatcher"/>: each pass hands over a cluster's members and their fixed
/// addresses (<see cref="TrackAsync"/>); the tracker reads the cluster's credentials Secret, builds one MySQL endpoint
/// per member and watches the group. When the watcher reports a change it labels the primary's pod
/// <c>cdd.io/role=primary</c> (so <c>&lt;cluster&gt;-primary</c> follows it) and queues the cluster so its status says
/// the new role at once rather than at the next resync. Watcher keys are <c>namespace/name</c>.
/// </summary>
internal sealed class PrimaryTracker : IRoleSink, IPrimaryTracker
{
    readonly IKubernetes _client;
    readonly ConcurrentDictionary<string, string> _fingerprints = new();
    readonly ConcurrentDictionary<string, IReadOnlyDictionary<int, IPAddress>> _addresses = new();

    public PrimaryTracker(IKubernetes client, MemberConnections connections, PrimaryWatcherOptions? options = null)
    {
        _client = client;
        Connections = connections;
        Watcher = new PrimaryWatcher(this, options);
    }

    public PrimaryWatcher Watcher { get; }

    /// <summary>How the members are reached (address mapping and the credentials Secret).</summary>
    public MemberConnections Connections { get; }

    /// <summary>Called with (namespace, name) after a role change was applied to the pods; the controller queues it.</summary>
    public Action<(string Ns, string Name)>? Changed { get; set; }

    /// <summary>
    /// Starts or updates the watch of <paramref name="spec"/>'s members; the PrimaryTracked condition it results in.
    /// A missing Secret or key stops the watch and says which (never a value).
    /// </summary>
    public async Task<Condition> TrackAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        _addresses[spec.Key] = addresses;
        var (endpoints, problem) = await EndpointsCoreAsync(spec, addresses, ct);
        if (problem is not null)
        {
            Forget(spec.Namespace, spec.Name);
            return new Condition(Condition.PrimaryTracked, false, "CredentialsUnavailable", problem);
        }
        var members = Enumerable.Range(0, spec.Members)
            .Select(i => new MemberIdentity(MemberNames.PodName(spec.Name, i), addresses.TryGetValue(i, out var ip) ? ip.ToString() : null)).ToList();
        // Re-register only when something changed (members, addresses or credentials), so a converged pass costs one GET.
        string fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', endpoints.Concat(members.Select(m => $"{m.PodName}={m.FixedIp}"))))));
        if (!_fingerprints.TryGetValue(spec.Key, out var old) || old != fingerprint)
        {
            Watcher.Watch(new WatchedCluster(spec.Key, endpoints, members));
            _fingerprints[spec.Key] = fingerprint;
        }
        return new Condition(Condition.PrimaryTracked, true, "Watching", $"reading replication_group_members from {endpoints.Count} member(s) every {Watcher.Options.PollInterval.TotalSeconds:0.#} s");
    }

    /// <summary>
    /// The members' connection strings (credentials included) for the promoter, from the addresses of the cluster's
    /// last <see cref="TrackAsync"/>; empty when the cluster is not tracked or its Secret is unusable.
    /// </summary>
    public async Task<IReadOnlyList<string>> EndpointsAsync(ClusterSpec spec, CancellationToken ct) =>
        _addresses.TryGetValue(spec.Key, out var addresses) ? (await EndpointsCoreAsync(spec, addresses, ct)).Endpoints : [];

    /// <summary>MEMBER_STATE per member pod of the cluster as last reported (empty before the first answer).</summary>
    public IReadOnlyDictionary<string, string> States(ClusterSpec spec) =>
        Watcher.LastReported(spec.Key)?.StateByMember() ?? new Dictionary<string, string>();

    public void Forget(string ns, string name)
    {
        Watcher.Unwatch($"{ns}/{name}");
        _fingerprints.TryRemove($"{ns}/{name}", out _);
        _addresses.TryRemove($"{ns}/{name}", out _);
    }

    async Task<(IReadOnlyList<string> Endpoints, string? Problem)> EndpointsCoreAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        var (endpoints, problem) = await Connections.ForAsync(spec, addresses.Where(kv => kv.Key < spec.Members).OrderBy(kv => kv.Key).Select(kv => kv.Value), ct);
        return (endpoints, problem is null ? null : $"{problem}: the primary is not tracked");
    }

    async Task IRoleSink.SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct)
    {
        int slash = cluster.IndexOf('/');
        string ns = cluster[..slash], name = cluster[(slash + 1)..];
        await new KubeRoleSink(_client, ns).SetPrimaryAsync(name, observation, ct);
        Changed?.Invoke((ns, name));
    }
}
