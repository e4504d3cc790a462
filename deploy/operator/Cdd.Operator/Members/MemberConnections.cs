using System.Net;
using System.Text;
using Cdd.Ipam.Kube;
using Cdd.Operator.Model;
using k8s;
using k8s.Autorest;
using MySqlConnector;

namespace Cdd.Operator.Members;

/// <summary>
/// MySQL connection strings for a cluster's members: each member's fixed address on port 3306 (or what a test maps it
/// to) with the account of the cluster's credentials Secret (<see cref="ClusterSpec.CredentialsSecret"/>, keys
/// <c>username</c> and <c>password</c>). The Secret is read on every call, so a rotated password is used at once.
/// Problems name the Secret and the key, never a value.
/// </summary>
internal sealed class MemberConnections(IKubernetes client, Func<IPAddress, MySqlConnectionStringBuilder>? endpointOf = null)
{
    readonly Func<IPAddress, MySqlConnectionStringBuilder> _endpointOf =
        endpointOf ?? (ip => new MySqlConnectionStringBuilder { Server = ip.ToString(), Port = MemberNames.MySqlPort });

    /// <summary>One connection string per address, in the order given; or why there are none.</summary>
    public async Task<(IReadOnlyList<string> Endpoints, string? Problem)> ForAsync(ClusterSpec spec, IEnumerable<IPAddress> addresses, CancellationToken ct)
    {
        k8s.Models.V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(spec.CredentialsSecret, spec.Namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e) || ApiFailure.IsForbidden(e))
        {
            return ([], $"Secret {spec.Namespace}/{spec.CredentialsSecret} cannot be read ({(int)ApiFailure.StatusOf(e)!})");
        }
        string? Key(string k) => secret.Data is { } d && d.TryGetValue(k, out var v) ? Encoding.UTF8.GetString(v)
            : secret.StringData is { } s && s.TryGetValue(k, out var sv) ? sv : null;
        var user = Key(ClusterSpec.UsernameKey);
        var password = Key(ClusterSpec.PasswordKey);
        if (string.IsNullOrEmpty(user) || password is null)
            return ([], $"Secret {spec.Namespace}/{spec.CredentialsSecret} lacks the key \"{(string.IsNullOrEmpty(user) ? ClusterSpec.UsernameKey : ClusterSpec.PasswordKey)}\"");
        var endpoints = new List<string>();
        foreach (var ip in addresses)
        {
            var csb = _endpointOf(ip);
            csb.UserID = user;
            csb.Password = password;
            csb.Pooling = false;
            endpoints.Add(csb.ConnectionString);
        }
        return (endpoints, null);
    }
}
