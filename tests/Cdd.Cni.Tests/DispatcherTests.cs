using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Cni.Spec;
using Cdd.Cni.Tests.Spec;
using Cdd.Net;

namespace Cdd.Cni.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class DispatcherTests
{
    private readonly FakeMode _mode = new();
    private readonly FakeIpam _ipam = new();
    private readonly MemoryStream _stdout = new();
    private readonly StringWriter _stderr = new();

    private static string Config(string version = "1.1.0", string mode = "fake", JsonNode? prevResult = null)
    {
        var node = JsonNode.Parse(NetConfParserTests.Valid)!.AsObject();
        node["cniVersion"] = version;
        node["mode"] = mode;
        if (prevResult is not null) node["prevResult"] = prevResult;
        return node.ToJsonString();
    }

    private int Run(Dictionary<string, string?> env, string stdin) =>
        Dispatcher.Run(env, new MemoryStream(Encoding.UTF8.GetBytes(stdin)), _stdout, _stderr,
            name => name == "fake" ? _mode : null, _ipam);

    private string Stdout => Encoding.UTF8.GetString(_stdout.ToArray());

    private void AssertError(int exit, int code, string msgPart, string version = "1.1.0")
    {
        Assert.Equal(1, exit);
        var json = JsonNode.Parse(Stdout)!;
        Assert.Equal(version, (string?)json["cniVersion"]);
        Assert.Equal(code, (int?)json["code"]);
        Assert.Contains(msgPart, (string?)json["msg"]);
        Assert.Contains("event=cni.error", _stderr.ToString());
    }

    [Fact]
    public void Add_validates_then_adds_and_prints_the_result_in_the_configs_version()
    {
        _mode.AddResult = SampleResults.Full();
        int exit = Run(TestEnv.For("ADD"), Config("1.0.0"));
        Assert.Equal(0, exit);
        Assert.Equal(["Validate", "Add"], _mode.Calls);
        JsonAssert.Equal(SampleResults.V100, Stdout);
        Assert.Equal("", _stderr.ToString());
    }

    [Theory]
    [InlineData("""{"type":"cdd-ipam","pool":"Bad_Pool"}""", "ipam.pool \"Bad_Pool\" is not an IPPool name")]
    [InlineData("""{"type":"cdd-ipam","pool":{"name":"inline"}}""", "ipam.pool is an inline pool")]
    [InlineData("""{"type":"cdd-ipam"}""", "ipam.pool is required")]
    [InlineData("""{"type":"cdd-ipam","pool":"mysql","socket":"../ipamd.sock"}""", "ipam.socket")]
    [InlineData("""{"type":"cdd-ipam","pool":"mysql","timeoutSeconds":301}""", "ipam.timeoutSeconds 301")]
    public void Add_refuses_a_bad_ipam_field_with_code_7_before_the_mode_touches_anything(string ipam, string msg)
    {
        var node = JsonNode.Parse(Config())!.AsObject();
        node["ipam"] = JsonNode.Parse(ipam);
        int exit = Dispatcher.Run(TestEnv.For("ADD"), new MemoryStream(Encoding.UTF8.GetBytes(node.ToJsonString())), _stdout, _stderr,
            name => name == "fake" ? _mode : null);
        AssertError(exit, CniErrorCodes.InvalidNetworkConfig, msg);
        Assert.StartsWith(msg.Split(' ')[0], (string?)JsonNode.Parse(Stdout)!["msg"]);
        Assert.Empty(_mode.Calls);
    }

    [Fact]
    public void Add_hands_the_mode_env_config_raw_bytes_ipam_and_state_dir()
    {
        string config = Config();
        Run(TestEnv.For("ADD").With("CDD_STATE_DIR", "/tmp/state-x"), config);
        var ctx = _mode.Seen!;
        Assert.Equal("eth0", ctx.Env.IfName);
        Assert.Equal("fake", ctx.Config.Mode);
        Assert.Equal(config, Encoding.UTF8.GetString(ctx.RawConfig));
        Assert.Same(_ipam, ctx.Ipam);
        Assert.Equal("/tmp/state-x", ctx.StateDir);
        Assert.Null(ctx.PrevResult);
    }

    [Fact]
    public void State_dir_defaults_to_var_lib_cni_cdd()
    {
        Run(TestEnv.For("ADD"), Config());
        Assert.Equal("/var/lib/cni/cdd", _mode.Seen!.StateDir);
    }

    [Fact]
    public void Del_validates_then_deletes_and_prints_nothing()
    {
        int exit = Run(TestEnv.For("DEL").Without("CNI_NETNS"), Config());
        Assert.Equal(0, exit);
        Assert.Equal(["Validate", "Del"], _mode.Calls);
        Assert.Equal("", Stdout);
    }

    [Fact]
    public void Check_hands_the_mode_the_parsed_prev_result()
    {
        int exit = Run(TestEnv.For("CHECK"), Config("0.4.0", prevResult: JsonNode.Parse(SampleResults.Legacy("0.4.0"))));
        Assert.Equal(0, exit);
        Assert.Equal(["Validate", "Check"], _mode.Calls);
        Assert.Equal(IpPrefix.Parse("10.1.0.5/24"), _mode.Seen!.PrevResult!.Ips[0].Address);
        Assert.Equal("", Stdout);
    }

    [Fact]
    public void Check_without_prev_result_is_code_7()
    {
        AssertError(Run(TestEnv.For("CHECK"), Config()), CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
        Assert.Empty(_mode.Calls);
    }

    [Fact]
    public void Malformed_prev_result_is_code_6_prefixed_with_prev_result() =>
        AssertError(Run(TestEnv.For("ADD"), Config(prevResult: new JsonObject { ["cniVersion"] = "1.1.0", ["ips"] = "nope" })),
            CniErrorCodes.DecodingFailure, "prevResult: ");

    [Fact]
    public void Status_asks_the_mode_then_ipam()
    {
        Assert.Equal(0, Run(TestEnv.For("STATUS"), Config()));
        Assert.Equal(["Status"], _mode.Calls);
        Assert.Equal(["Status"], _ipam.Calls);
    }

    [Fact]
    public void Status_failure_of_the_mode_stops_before_ipam()
    {
        _mode.Throw = new CniException(CniErrorCodes.PluginNotAvailable, "master eth1 is down");
        AssertError(Run(TestEnv.For("STATUS"), Config()), CniErrorCodes.PluginNotAvailable, "master eth1 is down");
        Assert.Empty(_ipam.Calls);
    }

    [Fact]
    public void Gc_goes_to_ipam_only()
    {
        Assert.Equal(0, Run(TestEnv.For("GC"), Config()));
        Assert.Empty(_mode.Calls);
        Assert.Equal(["Gc"], _ipam.Calls);
    }

    [Fact]
    public void Version_prints_the_supported_versions_without_needing_a_config()
    {
        Assert.Equal(0, Run(new() { ["CNI_COMMAND"] = "VERSION" }, """{"cniVersion":"0.4.0"}"""));
        JsonAssert.Equal("""{"cniVersion":"0.4.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}""", Stdout);
    }

    [Fact]
    public void Version_with_empty_stdin_says_1_1_0()
    {
        Assert.Equal(0, Run(new() { ["CNI_COMMAND"] = "VERSION" }, ""));
        Assert.Equal("1.1.0", (string?)JsonNode.Parse(Stdout)!["cniVersion"]);
    }

    [Fact]
    public void Missing_mode_is_code_7_listing_the_known_modes() =>
        AssertError(Run(TestEnv.For("ADD"), Config(mode: "")), CniErrorCodes.InvalidNetworkConfig, "mode is required (one of: macvlan, overlay, sriov)");

    [Fact]
    public void Unknown_mode_is_code_7_naming_it_and_the_known_modes() =>
        AssertError(Run(TestEnv.For("ADD"), Config(mode: "ipvlan")), CniErrorCodes.InvalidNetworkConfig, "mode \"ipvlan\" is unknown (one of: macvlan, overlay, sriov)");

    [Fact]
    public void Environment_error_is_code_4_in_the_configs_version() =>
        AssertError(Run(TestEnv.For("ADD").Without("CNI_IFNAME"), Config("0.4.0")), CniErrorCodes.InvalidEnvironmentVariables,
            "CNI_IFNAME is required for ADD", version: "0.4.0");

    [Fact]
    public void Config_error_reaches_the_runtime_as_the_specs_error_json()
    {
        AssertError(Run(TestEnv.For("ADD"), Config("9.9.9")), CniErrorCodes.IncompatibleVersion, "cniVersion 9.9.9 is not supported");
        Assert.Empty(_mode.Calls);
    }

    [Fact]
    public void Mode_cni_error_is_printed_with_its_code_and_details()
    {
        _mode.Throw = new CniException(CniErrorCodes.TryAgainLater, "address busy", "10.1.0.5 held by pod x");
        AssertError(Run(TestEnv.For("ADD"), Config()), CniErrorCodes.TryAgainLater, "address busy");
        Assert.Equal("10.1.0.5 held by pod x", (string?)JsonNode.Parse(Stdout)!["details"]);
    }

    [Fact]
    public void Unexpected_exception_is_code_100_and_logged_with_its_stack()
    {
        _mode.Throw = new InvalidOperationException("boom");
        int exit = Run(TestEnv.For("ADD"), Config());
        Assert.Equal(1, exit);
        var json = JsonNode.Parse(Stdout)!;
        Assert.Equal(100, (int?)json["code"]);
        Assert.Equal("internal error: boom", (string?)json["msg"]);
        Assert.Contains("System.InvalidOperationException", _stderr.ToString());
        Assert.Contains("event=cni.crash", _stderr.ToString());
        Assert.Contains(nameof(FakeMode), _stderr.ToString());
    }

    [Fact]
    public void Debug_logging_goes_to_stderr_only_when_asked()
    {
        Run(TestEnv.For("DEL").With("CDD_CNI_DEBUG", "1"), Config());
        Assert.Contains("event=cni.start cmd=DEL", _stderr.ToString());
        Assert.Contains("event=cni.done", _stderr.ToString());
        Assert.Equal("", Stdout);
    }

    [Fact]
    public void Add_result_with_a_gateway_prints_it_in_legacy_form()
    {
        _mode.AddResult = new CniResult { Ips = { new CniIpConfig { Address = IpPrefix.Parse("10.1.0.5/24"), Gateway = IPAddress.Parse("10.1.0.1") } } };
        Run(TestEnv.For("ADD"), Config("0.3.1"));
        JsonAssert.Equal("""{"cniVersion":"0.3.1","ips":[{"version":"4","address":"10.1.0.5/24","gateway":"10.1.0.1"}]}""", Stdout);
    }
}
