using System.Diagnostics;
using Cdd.Cni.Contracts;
using Cdd.Cni.Ipam;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Ipam;

[Collection(PluginExecCollection.Name)]
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ExecIpamTests : IDisposable
{
    private readonly PluginDir _dir = new();
    private readonly ExecIpam _ipam = new();

    // Nested "cniVersion" and odd spacing on purpose: the downgrade must change the top-level one and nothing else.
    private static string Config(string type, string version = "1.1.0") => $$$"""
        {"cniVersion":  "{{{version}}}", "name":"mgr-net","type":"cdd-cni","mode":"macvlan",
          "ipam": {"type": "{{{type}}}", "cniVersion": "keep-me", "subnet": "10.1.0.0/24"}}
        """;


    // Records what it got (env and stdin per verb), then answers like a 1.1.0 IPAM plugin.
    private const string Recorder = """
        env > "$REC/env.$CNI_COMMAND"
        cat > "$REC/stdin.$CNI_COMMAND"
        case "$CNI_COMMAND" in
          ADD) printf '%s' '{"cniVersion":"1.1.0","ips":[{"address":"10.1.0.7/24","gateway":"10.1.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}' ;;
          VERSION) printf '%s' '{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}' ;;
        esac
        exit 0
        """;

    // Like Debian's containernetworking-plugins 1.1.1: speaks up to 1.0.0, refuses 1.1.0 with code 1, has no GC/STATUS.
    private const string OldPlugin = """
        if [ "$CNI_COMMAND" = VERSION ]; then
          cat > /dev/null
          printf '%s' '{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}'
          exit 0
        fi
        n=$(ls "$REC" | wc -l)
        cat > "$REC/stdin.$CNI_COMMAND.$n"
        if grep -q '"cniVersion": *"1.1.0"' "$REC/stdin.$CNI_COMMAND.$n"; then
          printf '%s' '{"code":1,"msg":"incompatible CNI versions","details":"config is \"1.1.0\", plugin supports [\"0.1.0\" \"0.2.0\" \"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\"]"}'
          exit 1
        fi
        case "$CNI_COMMAND" in
          ADD) printf '%s' '{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.9/24","gateway":"10.1.0.1"}]}' ;;
          GC|STATUS) printf '%s' '{"code":4,"msg":"unknown CNI_COMMAND"}'; exit 1 ;;
        esac
        exit 0
        """;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Add_forwards_our_environment_with_the_verb_and_the_exact_config_bytes()
    {
        _dir.Add("rec", Recorder);
        string config = Config("rec");
        var ctx = _dir.Context("ADD", config, _ipam);

        var result = _ipam.Add(ctx);

        Assert.Equal("10.1.0.7/24", result.Ips[0].Address.ToString());
        Assert.Equal("10.1.0.1", result.Ips[0].Gateway!.ToString());
        Assert.Equal("0.0.0.0/0", result.Routes[0].Dst.ToString());
        Assert.Equal(config, _dir.Record("stdin.ADD"));
        string env = _dir.Record("env.ADD");
        Assert.Contains("CNI_COMMAND=ADD\n", env);
        Assert.Contains("CNI_CONTAINERID=3f2a9c1b0d\n", env);
        Assert.Contains("CNI_NETNS=/var/run/netns/pod1\n", env);
        Assert.Contains("CNI_IFNAME=eth0\n", env);
        Assert.Contains("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME=mysql-0\n", env);
        Assert.Contains($"CNI_PATH={_dir.Bin}\n", env);
    }

    [Fact]
    public void Delegate_does_not_inherit_variables_the_runtime_did_not_give_us()
    {
        _dir.Add("rec", Recorder);
        Environment.SetEnvironmentVariable("CDD_TEST_LEAK", "1");
        try
        {
            _ipam.Del(_dir.Context("ADD", Config("rec"), _ipam));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CDD_TEST_LEAK", null);
        }
        Assert.DoesNotContain("CDD_TEST_LEAK", _dir.Record("env.DEL"));
    }

    [Theory]
    [InlineData("DEL")]
    [InlineData("CHECK")]
    public void Del_and_check_run_the_delegate_with_their_own_verb(string verb)
    {
        _dir.Add("rec", Recorder);
        var ctx = _dir.Context("ADD", Config("rec"), _ipam); // the mode may undo an ADD with a DEL
        if (verb == "DEL") _ipam.Del(ctx); else _ipam.Check(ctx);
        Assert.Contains($"CNI_COMMAND={verb}\n", _dir.Record($"env.{verb}"));
        Assert.Equal(Config("rec"), _dir.Record($"stdin.{verb}"));
    }

    [Theory]
    [InlineData("GC")]
    [InlineData("STATUS")]
    public void Gc_and_status_reach_a_1_1_0_delegate(string verb)
    {
        _dir.Add("rec", Recorder);
        var ctx = _dir.Context(verb, Config("rec"), _ipam);
        if (verb == "GC") _ipam.Gc(ctx); else _ipam.Status(ctx);
        Assert.Contains($"CNI_COMMAND={verb}\n", _dir.Record($"env.{verb}"));
    }

    [Fact]
    public void Delegate_error_keeps_its_code_and_details_and_prefixes_the_message()
    {
        _dir.Add("host-local", """
            cat > /dev/null
            printf '%s' '{"cniVersion":"1.0.0","code":11,"msg":"no IP addresses available in range set","details":"10.1.0.0/24 full"}'
            exit 1
            """);
        var ex = Assert.Throws<CniException>(() => _ipam.Add(_dir.Context("ADD", Config("host-local"), _ipam)));
        Assert.Equal(11, ex.Code);
        Assert.Equal("ipam host-local: no IP addresses available in range set", ex.Msg);
        Assert.Equal("10.1.0.0/24 full", ex.Details);
    }

    [Fact]
    public void Delegate_crash_without_error_json_is_code_100_with_the_stderr_tail()
    {
        _dir.Add("crashy", """
            cat > /dev/null
            echo "panic: runtime error: invalid memory address" >&2
            exit 2
            """);
        var ex = Assert.Throws<CniException>(() => _ipam.Del(_dir.Context("DEL", Config("crashy"), _ipam)));
        Assert.Equal(100, ex.Code);
        Assert.Contains("exited with code 2", ex.Msg);
        Assert.Equal("panic: runtime error: invalid memory address", ex.Details);
    }

    [Fact]
    public void Delegate_killed_by_a_signal_is_code_100()
    {
        _dir.Add("killed", "kill -9 $$\n");
        var ex = Assert.Throws<CniException>(() => _ipam.Del(_dir.Context("DEL", Config("killed"), _ipam)));
        Assert.Equal(100, ex.Code);
    }

    [Fact]
    public void Unparsable_add_result_is_code_6_naming_the_plugin()
    {
        _dir.Add("garbage", "cat > /dev/null\necho 'this is not json'\n");
        var ex = Assert.Throws<CniException>(() => _ipam.Add(_dir.Context("ADD", Config("garbage"), _ipam)));
        Assert.Equal(CniErrorCodes.DecodingFailure, ex.Code);
        Assert.StartsWith("ipam garbage result: ", ex.Msg);
    }

    [Fact]
    public void Missing_plugin_is_code_7_naming_it_and_the_search_path()
    {
        var ctx = _dir.Context("ADD", Config("host-local"), _ipam, cniPath: "/nonexistent/a:/nonexistent/b");
        var ex = Assert.Throws<CniException>(() => _ipam.Add(ctx));
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, ex.Code);
        Assert.Equal("ipam plugin host-local not found in CNI_PATH (/nonexistent/a:/nonexistent/b)", ex.Msg);
    }

    [Fact]
    public void Missing_plugin_on_status_is_code_50()
    {
        var ctx = _dir.Context("STATUS", Config("host-local"), _ipam, cniPath: "/nonexistent/a");
        Assert.Equal(CniErrorCodes.PluginNotAvailable, Assert.Throws<CniException>(() => _ipam.Status(ctx)).Code);
    }

    [Fact]
    public void Plugin_without_execute_permission_is_code_7_and_50_on_status()
    {
        _dir.Add("noexec", "exit 0\n", executable: false);
        var add = Assert.Throws<CniException>(() => _ipam.Add(_dir.Context("ADD", Config("noexec"), _ipam)));
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, add.Code);
        Assert.Contains("is not executable", add.Msg);
        var status = Assert.Throws<CniException>(() => _ipam.Status(_dir.Context("STATUS", Config("noexec"), _ipam)));
        Assert.Equal(CniErrorCodes.PluginNotAvailable, status.Code);
    }

    [Fact]
    public void Plugin_is_searched_in_cni_path_order()
    {
        string second = Directory.CreateTempSubdirectory("cdd-cni-ipam-2-").FullName;
        try
        {
            File.Copy(_dir.Add("rec", Recorder), Path.Join(second, "rec"));
            _ipam.Del(_dir.Context("DEL", Config("rec"), _ipam, cniPath: $"/nonexistent:{_dir.Bin}:{second}"));
            Assert.True(_dir.HasRecord("stdin.DEL"));
        }
        finally
        {
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public void Incompatible_version_answer_makes_us_retry_once_at_the_highest_common_version()
    {
        _dir.Add("old", OldPlugin);
        string config = Config("old");

        var result = _ipam.Add(_dir.Context("ADD", config, _ipam));

        Assert.Equal("10.1.0.9/24", result.Ips[0].Address.ToString());
        Assert.Equal(config, _dir.Record("stdin.ADD.0"));
        // Only the top-level version changed; nested fields and spacing are byte for byte the runtime's.
        Assert.Equal(config.Replace("\"cniVersion\":  \"1.1.0\"", "\"cniVersion\":  \"1.0.0\""), _dir.Record("stdin.ADD.1"));
    }

    [Fact]
    public void Older_delegate_is_asked_in_its_own_version_at_once_on_the_next_call()
    {
        _dir.Add("old", OldPlugin);
        string config = Config("old");
        _ipam.Add(_dir.Context("ADD", config, _ipam)); // refused, VERSION, retried: stdin.ADD.0 and .1

        var result = _ipam.Add(_dir.Context("ADD", config, _ipam));

        Assert.Equal("10.1.0.9/24", result.Ips[0].Address.ToString());
        Assert.Contains("\"cniVersion\":  \"1.0.0\"", _dir.Record("stdin.ADD.2"));
        Assert.False(_dir.HasRecord("stdin.ADD.3")); // one exec, no refusal and no retry
    }

    [Fact]
    public void Incompatible_version_retry_applies_to_del_too()
    {
        _dir.Add("old", OldPlugin);
        _ipam.Del(_dir.Context("DEL", Config("old"), _ipam));
        Assert.Contains("\"cniVersion\":  \"1.0.0\"", _dir.Record("stdin.DEL.1"));
    }

    [Fact]
    public void Incompatible_version_is_rethrown_when_there_is_nothing_older_to_try()
    {
        _dir.Add("picky", """
            cat > /dev/null
            if [ "$CNI_COMMAND" = VERSION ]; then printf '%s' '{"cniVersion":"0.2.0","supportedVersions":["0.1.0","0.2.0"]}'; exit 0; fi
            printf '%s' '{"code":1,"msg":"incompatible CNI versions"}'; exit 1
            """);
        var ex = Assert.Throws<CniException>(() => _ipam.Add(_dir.Context("ADD", Config("picky"), _ipam)));
        Assert.Equal(CniErrorCodes.IncompatibleVersion, ex.Code);
        Assert.Equal("ipam picky: incompatible CNI versions", ex.Msg);
    }

    [Fact]
    public void Gc_is_skipped_on_a_delegate_without_1_1_0()
    {
        _dir.Add("old", OldPlugin);
        _ipam.Gc(_dir.Context("GC", Config("old"), _ipam));
        Assert.False(_dir.HasRecord("stdin.GC.0"));
    }

    [Fact]
    public void Status_on_a_delegate_without_1_1_0_only_checks_it_is_there()
    {
        _dir.Add("old", OldPlugin);
        _ipam.Status(_dir.Context("STATUS", Config("old"), _ipam));
        Assert.False(_dir.HasRecord("stdin.STATUS.0"));
    }

    [Fact]
    public void Gc_and_status_without_an_ipam_section_do_nothing()
    {
        const string noIpam = """{"cniVersion":"1.1.0","name":"mgr-net","type":"cdd-cni","mode":"macvlan"}""";
        _ipam.Gc(_dir.Context("GC", noIpam, _ipam));
        _ipam.Status(_dir.Context("STATUS", noIpam, _ipam));
    }

    [Fact]
    public void Hanging_delegate_is_killed_after_the_timeout_and_is_code_11()
    {
        _dir.Add("slow", "sleep 30\n");
        var ctx = _dir.Context("ADD", Config("slow"), _ipam);
        var ipam = new ExecIpam();
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<CniException>(() => ipam.Add(new CniContext
        {
            Env = new CniEnvironment
            {
                Command = ctx.Env.Command, ContainerId = ctx.Env.ContainerId, Netns = ctx.Env.Netns, IfName = ctx.Env.IfName,
                Path = ctx.Env.Path, Variables = new Dictionary<string, string?>(ctx.Env.Variables) { ["CDD_IPAM_TIMEOUT"] = "1" },
            },
            Config = ctx.Config, RawConfig = ctx.RawConfig, Ipam = ipam, StateDir = ctx.StateDir,
        }));
        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        Assert.Contains("did not finish within 1s", ex.Msg);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 10);
    }

    [Fact]
    public void Timeout_given_to_the_constructor_wins()
    {
        _dir.Add("slow", "sleep 30\n");
        var ipam = new ExecIpam(TimeSpan.FromSeconds(1));
        Assert.Equal(CniErrorCodes.TryAgainLater, Assert.Throws<CniException>(() => ipam.Del(_dir.Context("DEL", Config("slow"), ipam))).Code);
    }

    [Fact]
    public void Bad_timeout_variable_is_code_4()
    {
        _dir.Add("rec", Recorder);
        var env = TestEnv.For("DEL", _dir.Bin).With("CDD_IPAM_TIMEOUT", "soon");
        var ctx = _dir.Context("DEL", Config("rec"), _ipam);
        var ex = Assert.Throws<CniException>(() => _ipam.Del(new CniContext
        {
            Env = CniEnvironment.Parse(env), Config = ctx.Config, RawConfig = ctx.RawConfig, Ipam = _ipam, StateDir = ctx.StateDir,
        }));
        Assert.Equal(CniErrorCodes.InvalidEnvironmentVariables, ex.Code);
    }
}
