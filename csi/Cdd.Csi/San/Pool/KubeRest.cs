using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Csi.Errors;

namespace Cdd.Csi.San.Pool;

/// <summary>
/// The few Kubernetes API calls the pool needs, on cluster-scoped custom resources of cdd.io/v1: list, create (409 means
/// the name is taken: the atomic claim), update with resourceVersion (409: changed meanwhile), delete. JSON through
/// System.Text.Json.Nodes (AOT-safe). In a pod: the service account's token and CA; for tests: any base address.
/// </summary>
internal sealed class KubeRest(HttpClient http) : IKube
{
    const string Base = "apis/cdd.io/v1/";
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static KubeRest InCluster()
    {
        const string Sa = "/var/run/secrets/kubernetes.io/serviceaccount";
        string host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") ?? throw new InvalidOperationException("not in a pod: KUBERNETES_SERVICE_HOST is unset");
        string port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT") ?? "443";
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Sa, "ca.crt"));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            if (cert is null) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(cert));
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}/"), Timeout = Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(Sa, "token")).Trim());
        return new KubeRest(client);
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string plural)
    {
        using var r = await http.GetAsync(Base + plural);
        var body = await Body(r, $"list {plural}");
        return body["items"]?.AsArray().OfType<JsonObject>().Select(o => (JsonObject)o.DeepClone()).ToList() ?? [];
    }

    public async Task<bool> CreateAsync(string plural, JsonObject obj)
    {
        using var r = await http.PostAsync(Base + plural, Json(obj));
        if (r.StatusCode == HttpStatusCode.Conflict) return false;
        await Body(r, $"create {plural}/{obj["metadata"]?["name"]}");
        return true;
    }

    public async Task<bool> UpdateAsync(string plural, JsonObject obj)
    {
        string name = obj["metadata"]!["name"]!.GetValue<string>();
        using var r = await http.PutAsync($"{Base}{plural}/{name}", Json(obj));
        if (r.StatusCode == HttpStatusCode.Conflict) return false;
        await Body(r, $"update {plural}/{name}");
        return true;
    }

    public async Task DeleteAsync(string plural, string name)
    {
        using var r = await http.DeleteAsync($"{Base}{plural}/{name}");
        if (r.StatusCode == HttpStatusCode.NotFound) return;
        await Body(r, $"delete {plural}/{name}");
    }

    static StringContent Json(JsonObject obj) => new(obj.ToJsonString(), Encoding.UTF8, "application/json");

    static async Task<JsonObject> Body(HttpResponseMessage r, string what)
    {
        string text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode)
            throw new CsiException(CsiFault.Unavailable, $"Kubernetes API: {what}: {(int)r.StatusCode} {r.ReasonPhrase}");
        return JsonNode.Parse(text) as JsonObject ?? new JsonObject();
    }
}

/// <summary>The Kubernetes calls on cdd.io/v1 cluster-scoped resources; false from create/update is a 409.</summary>
internal interface IKube
{
    Task<IReadOnlyList<JsonObject>> ListAsync(string plural);

    Task<bool> CreateAsync(string plural, JsonObject obj);

    Task<bool> UpdateAsync(string plural, JsonObject obj);

    Task DeleteAsync(string plural, string name);
}
