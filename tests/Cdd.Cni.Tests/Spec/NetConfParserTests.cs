using System.Text;
using System.Text.Json.Nodes;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class NetConfParserTests
{
    internal const string Valid = """
        {
          "cniVersion": "1.1.0",
          "name": "mgr-net",
          "type": "cdd-cni",
          "mode": "macvlan",
          "master": "eth1",
          "mtu": 9000,
          "ipam": { "type": "host-local", "subnet": "10.1.0.0/24" },
          "runtimeConfig": { "mac": "02:42:ac:11:00:02", "ips": ["10.1.0.5/24", "fd00::5"] }
        }
        """;

    /// <summary>The valid config with one top-level field replaced (or removed when value is null).</summary>
    internal static string With(string field, JsonNode? value, bool remove = false)
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        if (remove) node.Remove(field);
        else node[field] = value;
        return node.ToJsonString();
    }

    private static NetConf Parse(string json, CniCommand command = CniCommand.Add) =>
        NetConfParser.Parse(Encoding.UTF8.GetBytes(json), command);

    private static CniException Fails(string json, int code, CniCommand command = CniCommand.Add)
    {
        var ex = Assert.Throws<CniException>(() => Parse(json, command));
        Assert.Equal(code, ex.Code);
        return ex;
    }

    [Fact]
    public void Valid_config_is_parsed_with_the_common_fields()
    {
        var conf = Parse(Valid);
        Assert.Equal("1.1.0", conf.CniVersion);
        Assert.Equal("mgr-net", conf.Name);
        Assert.Equal("cdd-cni", conf.Type);
        Assert.Equal("macvlan", conf.Mode);
        Assert.Equal(9000, conf.Mtu);
        Assert.Equal("host-local", conf.IpamType);
        Assert.Equal("02:42:ac:11:00:02", conf.RuntimeConfig!.Mac);
    }

    [Fact]
    public void Unknown_fields_are_ignored_as_the_spec_requires() =>
        Assert.Equal("mgr-net", Parse(With("someOtherPluginsField", new JsonObject { ["x"] = 1 })).Name);

    [Fact]
    public void Malformed_json_is_code_6_with_the_position()
    {
        var ex = Fails("{\n  \"cniVersion\": \"1.1.0\",\n  \"name\": }", CniErrorCodes.DecodingFailure);
        Assert.StartsWith("network config: not valid JSON", ex.Msg);
        Assert.Contains("line 3", ex.Msg);
        Assert.Contains("byte ", ex.Msg);
    }

    [Fact]
    public void Wrong_json_type_is_code_6_naming_the_path()
    {
        var ex = Fails(With("mtu", "big"), CniErrorCodes.DecodingFailure);
        Assert.Contains("\"mtu\": expected an integer", ex.Msg);
        Assert.DoesNotContain("System.", ex.Msg + ex.Details);
    }

    [Theory]
    [InlineData("eth%d")]
    [InlineData("all")]
    [InlineData("default")]
    public void Interface_names_the_kernel_would_not_take_literally_are_code_4(string ifName)
    {
        var ex = Assert.Throws<CniException>(() => CniEnvironment.Parse(TestEnv.For("ADD").With("CNI_IFNAME", ifName)));
        Assert.Equal(CniErrorCodes.InvalidEnvironmentVariables, ex.Code);
        Assert.Contains("CNI_IFNAME", ex.Msg);
    }

    [Theory]
    [InlineData("020000000009")]
    [InlineData("0200.0000.0009")]
    [InlineData("02-00-00-00-00")]
    public void Mac_spellings_beyond_the_one_parser_are_code_7(string mac)
    {
        var ex = Fails(With("runtimeConfig", new JsonObject { ["mac"] = mac }), CniErrorCodes.InvalidNetworkConfig);
        Assert.Contains("runtimeConfig.mac", ex.Msg);
    }

    [Fact]
    public void Gc_with_a_null_valid_attachment_is_code_7_naming_it()
    {
        var json = With("cni.dev/valid-attachments", JsonNode.Parse("[null]")).Replace("\"1.1.0\"", "\"1.1.0\"");
        var ex = Fails(json, CniErrorCodes.InvalidNetworkConfig, CniCommand.Gc);
        Assert.Contains("cni.dev/valid-attachments[0]", ex.Msg);
    }

    [Fact]
    public void A_mac_is_parsed_once_for_every_mode()
    {
        var conf = Parse(With("runtimeConfig", new JsonObject { ["mac"] = "02:00:00:00:00:09" }));
        Assert.Equal("02:00:00:00:00:09", conf.RuntimeConfig!.ParsedMac!.Value.ToString());
    }

    [Fact]
    public void Ipam_type_naming_the_plugin_itself_is_code_7()
    {
        var ex = Fails(With("ipam", new JsonObject { ["type"] = "cdd-cni" }), CniErrorCodes.InvalidNetworkConfig);
        Assert.Contains("ipam.type", ex.Msg);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public void Empty_stdin_is_code_6(string json) =>
        Assert.Equal("network config: stdin is empty", Fails(json, CniErrorCodes.DecodingFailure).Msg);

    [Fact]
    public void Json_null_is_code_6() => Fails("null", CniErrorCodes.DecodingFailure);

    [Theory]
    [InlineData("cniVersion")]
    [InlineData("name")]
    [InlineData("type")]
    public void Missing_required_field_is_code_7_naming_the_field(string field) =>
        Assert.Equal($"{field} is required", Fails(With(field, null, remove: true), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData("-net")]
    [InlineData("my net")]
    [InlineData("net/1")]
    [InlineData("ünet")]
    public void Name_not_matching_the_spec_regex_is_code_7(string name) =>
        Assert.StartsWith($"name \"{name}\" is invalid", Fails(With("name", name), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData("a")]
    [InlineData("mgr_net.v2-1")]
    [InlineData("0net")]
    public void Names_matching_the_spec_regex_pass(string name) => Assert.Equal(name, Parse(With("name", name)).Name);

    [Fact]
    public void Unsupported_version_is_code_1_listing_the_supported_ones() =>
        Assert.Equal("cniVersion 9.9.9 is not supported; supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0",
            Fails(With("cniVersion", "9.9.9"), CniErrorCodes.IncompatibleVersion).Msg);

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Every_supported_version_is_accepted_for_add(string version) =>
        Assert.Equal(version, Parse(With("cniVersion", version)).CniVersion);

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    public void Check_before_0_4_0_is_code_1(string version) =>
        Assert.Contains("CHECK needs cniVersion 0.4.0", Fails(With("cniVersion", version), CniErrorCodes.IncompatibleVersion, CniCommand.Check).Msg);

    [Fact]
    public void Check_at_0_4_0_is_accepted() => Parse(With("cniVersion", "0.4.0"), CniCommand.Check);

    [Theory]
    [InlineData(CniCommand.Gc, "0.4.0")]
    [InlineData(CniCommand.Gc, "1.0.0")]
    [InlineData(CniCommand.Status, "0.3.1")]
    [InlineData(CniCommand.Status, "1.0.0")]
    public void Gc_and_status_before_1_1_0_are_code_1(CniCommand command, string version) =>
        Assert.Contains("needs cniVersion 1.1.0", Fails(With("cniVersion", version), CniErrorCodes.IncompatibleVersion, command).Msg);

    [Theory]
    [InlineData(CniCommand.Add)]
    [InlineData(CniCommand.Del)]
    [InlineData(CniCommand.Check)]
    public void Missing_ipam_section_is_code_7_for_add_del_check(CniCommand command) =>
        Assert.Equal("ipam is required", Fails(With("ipam", null, remove: true), CniErrorCodes.InvalidNetworkConfig, command).Msg);

    [Theory]
    [InlineData(CniCommand.Add)]
    [InlineData(CniCommand.Del)]
    [InlineData(CniCommand.Check)]
    public void Ipam_without_type_is_code_7_for_add_del_check(CniCommand command) =>
        Assert.Equal("ipam.type is required",
            Fails(With("ipam", new JsonObject { ["subnet"] = "10.1.0.0/24" }), CniErrorCodes.InvalidNetworkConfig, command).Msg);

    [Theory]
    [InlineData(CniCommand.Gc)]
    [InlineData(CniCommand.Status)]
    public void Gc_and_status_do_not_need_ipam(CniCommand command) => Parse(With("ipam", null, remove: true), command);

    [Fact]
    public void Ipam_that_is_not_an_object_is_code_7() =>
        Assert.Equal("ipam must be an object", Fails(With("ipam", "host-local"), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData("../../bin/sh")]
    [InlineData("/usr/bin/host-local")]
    [InlineData("..")]
    public void Ipam_type_that_is_a_path_is_code_7(string type) =>
        Assert.Contains("must be a plugin name", Fails(With("ipam", new JsonObject { ["type"] = type }), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData(67)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Mtu_out_of_range_is_code_7(int mtu) =>
        Assert.Equal($"mtu {mtu} is out of range (68..65535)", Fails(With("mtu", mtu), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData(68)]
    [InlineData(65535)]
    public void Mtu_at_the_bounds_passes(int mtu) => Assert.Equal(mtu, Parse(With("mtu", mtu)).Mtu);

    [Theory]
    [InlineData("02:42:ac:11:00")]        // 5 bytes
    [InlineData("02:42:ac:11:00:02:03")]  // 7 bytes
    [InlineData("zz:42:ac:11:00:02")]
    [InlineData("")]
    public void Runtime_mac_that_does_not_parse_is_code_7_naming_the_field(string mac) =>
        Assert.StartsWith("runtimeConfig.mac", Fails(With("runtimeConfig", new JsonObject { ["mac"] = mac }), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData("01:00:5e:00:00:01")] // multicast bit
    [InlineData("ff:ff:ff:ff:ff:ff")] // broadcast
    [InlineData("00:00:00:00:00:00")]
    public void Runtime_mac_that_is_not_unicast_is_code_7(string mac) =>
        Assert.Contains("not a unicast MAC", Fails(With("runtimeConfig", new JsonObject { ["mac"] = mac }), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Theory]
    [InlineData("10.1.0.300/24")]
    [InlineData("10.1.0.5/33")]
    [InlineData("1")]
    [InlineData("010.1.0.5")]
    [InlineData("fd00::5/129")]
    [InlineData("host")]
    public void Runtime_ip_that_does_not_parse_is_code_7_naming_the_field(string ip) =>
        Assert.StartsWith("runtimeConfig.ips",
            Fails(With("runtimeConfig", new JsonObject { ["ips"] = new JsonArray(ip) }), CniErrorCodes.InvalidNetworkConfig).Msg);

    [Fact]
    public void Runtime_ips_accept_prefixes_and_plain_addresses() =>
        Assert.Equal(["10.1.0.5/24", "10.1.0.6", "fd00::5/64", "fd00::6"],
            Parse(With("runtimeConfig", new JsonObject { ["ips"] = new JsonArray("10.1.0.5/24", "10.1.0.6", "fd00::5/64", "fd00::6") }))
                .RuntimeConfig!.Ips!);
}
