using System.Text;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests;

/// <summary>The plugin in-process: what a runtime sees for each verb, and each failure's code.</summary>
[Tier(Tier.Unit)]
public sealed class DispatcherTests : IDisposable
{
    readonly TempDir _dir = new("cdd-ipam-plugin");

    public void Dispose() => _dir.Dispose();

    (int Exit, JsonElement Json) Run(string verb, string config, string container = "c1", string args = "", Dictionary<string, string?>? extra = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["CNI_COMMAND"] = verb, ["CNI_CONTAINERID"] = container, ["CNI_NETNS"] = "/var/run/netns/x",
            ["CNI_IFNAME"] = "eth0", ["CNI_PATH"] = "/opt/cni/bin", ["CNI_ARGS"] = args,
        };
        foreach (var (k, v) in extra ?? []) env[k] = v;
        var stdout = new MemoryStream();
        int exit = IpamDispatcher.Run(env, new MemoryStream(Encoding.UTF8.GetBytes(config)), stdout, TextWriter.Null);
        string text = Encoding.UTF8.GetString(stdout.ToArray());
        return (exit, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    string Conf(string segmentA = "10.10.0.0/24", string version = "1.1.0") =>
        IpamConfigs.ReferenceMacvlan(IpamConfigs.Ipam(_dir.Path, segmentA: segmentA), version);

    [Fact]
    public void Add_returns_the_address_with_gateway_routes_segment_and_vlan()
    {
        var (exit, json) = Run("ADD", Conf());
        Assert.Equal(0, exit);
        Assert.Equal("10.10.0.2/24", json.GetProperty("ips")[0].GetProperty("address").GetString());
        Assert.Equal("10.10.0.1", json.GetProperty("ips")[0].GetProperty("gateway").GetString());
        Assert.Equal("0.0.0.0/0", json.GetProperty("routes")[0].GetProperty("dst").GetString());
        Assert.Equal("seg-a", json.GetProperty("segment").GetString());
        Assert.Equal(100, json.GetProperty("vlan").GetInt32());
    }

    [Fact]
    public void A_0_4_0_result_tags_the_address_family()
    {
        var (_, json) = Run("ADD", Conf(version: "0.4.0"));
        Assert.Equal("4", json.GetProperty("ips")[0].GetProperty("version").GetString());
    }

    [Fact]
    public void An_exhausted_pool_is_code_110_and_names_the_pool()
    {
        // seg-a as a /30 with its gateway outside: two addresses for rack a.
        string conf = Conf().Replace("\"gateway\":\"10.10.0.1\",", "").Replace("10.10.0.0/24", "10.10.0.0/30");
        Assert.Equal(0, Run("ADD", conf, "c1").Exit);
        Assert.Equal(0, Run("ADD", conf, "c2").Exit);
        var (exit, json) = Run("ADD", conf, "c3");
        Assert.Equal(1, exit);
        Assert.Equal(CniErrorCodes.PoolExhausted, json.GetProperty("code").GetInt32());
        Assert.Contains("pool mysql is exhausted", json.GetProperty("msg").GetString());
    }

    [Fact]
    public void A_bad_pool_field_is_code_7_naming_it()
    {
        var (exit, json) = Run("ADD", Conf(segmentA: "10.10.0.0/33"));
        Assert.Equal(1, exit);
        Assert.Equal(7, json.GetProperty("code").GetInt32());
        Assert.StartsWith("ipam.pool.segments[0].subnet:", json.GetProperty("msg").GetString());
    }

    [Fact]
    public void An_unknown_store_is_code_7()
    {
        var (_, json) = Run("ADD", Conf().Replace("\"store\":\"file\"", "\"store\":\"etcd\""));
        Assert.Equal(7, json.GetProperty("code").GetInt32());
        Assert.Contains("ipam.store", json.GetProperty("msg").GetString());
    }

    [Fact]
    public void A_pool_locked_by_another_run_is_code_11_and_nothing_is_claimed()
    {
        using (FileLock.Acquire(Path.Combine(_dir.Path, "mysql", "lock"), TimeSpan.FromSeconds(5)))
        {
            var (exit, json) = Run("ADD", Conf(), extra: new() { ["CDD_IPAM_LOCK_TIMEOUT"] = "0.1" });
            Assert.Equal(1, exit);
            Assert.Equal(11, json.GetProperty("code").GetInt32());
        }
        Assert.Equal(["lock"], Directory.GetFiles(Path.Combine(_dir.Path, "mysql")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_retried_add_returns_the_same_address()
    {
        var first = Run("ADD", Conf()).Json.GetProperty("ips")[0].GetProperty("address").GetString();
        var again = Run("ADD", Conf()).Json.GetProperty("ips")[0].GetProperty("address").GetString();
        Assert.Equal(first, again);
    }

    [Fact]
    public void Runtime_config_ips_request_a_specific_address()
    {
        string conf = Conf().Replace("\"ipam\":", "\"runtimeConfig\":{\"ips\":[\"10.10.0.77/24\"]},\"ipam\":");
        Assert.Equal("10.10.0.77/24", Run("ADD", conf).Json.GetProperty("ips")[0].GetProperty("address").GetString());
        var (_, taken) = Run("ADD", conf, "c2");
        Assert.Equal(CniErrorCodes.AddressTaken, taken.GetProperty("code").GetInt32());
    }

    [Fact]
    public void Check_passes_for_the_held_address_and_fails_for_another()
    {
        var (_, add) = Run("ADD", Conf());
        string ok = Conf().Replace("\"ipam\":", $"\"prevResult\":{add.GetRawText()},\"ipam\":");
        Assert.Equal(0, Run("CHECK", ok).Exit);
        string wrong = ok.Replace("10.10.0.2/24", "10.10.0.9/24");
        Assert.Equal(CniErrorCodes.CheckFailed, Run("CHECK", wrong).Json.GetProperty("code").GetInt32());
    }

    [Fact]
    public void Gc_releases_what_the_runtime_no_longer_lists()
    {
        Run("ADD", Conf(), "keep");
        Run("ADD", Conf(), "gone");
        // GC of another network that shares the pool lists none of these, and must leave them alone.
        string otherNetwork = Conf().Replace("\"name\":\"mysqlnet\"", "\"name\":\"othernet\"").Replace("\"ipam\":", "\"cni.dev/valid-attachments\":[],\"ipam\":");
        Assert.Equal(0, Run("GC", otherNetwork, "").Exit);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_dir.Path, "mysql")).Count(f => Path.GetFileName(f).StartsWith("10.")));
        string gc = Conf().Replace("\"ipam\":", "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}],\"ipam\":");
        Assert.Equal(0, Run("GC", gc, "").Exit);
        Assert.Equal(["10.10.0.2"], Directory.GetFiles(Path.Combine(_dir.Path, "mysql")).Select(Path.GetFileName).Where(n => n!.StartsWith("10.")));
    }

    [Fact]
    public void Status_says_not_available_when_the_pool_is_full_for_this_node()
    {
        string conf = Conf().Replace("\"gateway\":\"10.10.0.1\",", "").Replace("10.10.0.0/24", "10.10.0.0/31");
        Assert.Equal(0, Run("STATUS", conf, "").Exit);
        Run("ADD", conf, "c1");
        Run("ADD", conf, "c2");
        Assert.Equal(50, Run("STATUS", conf, "").Json.GetProperty("code").GetInt32());
    }
}
