using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class CniEnvironmentTests
{
    private static CniException Fails(Dictionary<string, string?> env)
    {
        var ex = Assert.Throws<CniException>(() => CniEnvironment.Parse(env));
        Assert.Equal(CniErrorCodes.InvalidEnvironmentVariables, ex.Code);
        return ex;
    }

    [Fact]
    public void Add_environment_is_parsed_into_its_parts()
    {
        var env = CniEnvironment.Parse(TestEnv.For("ADD").With("CNI_PATH", "/opt/cni/bin::/usr/lib/cni"));
        Assert.Equal(CniCommand.Add, env.Command);
        Assert.Equal("3f2a9c1b0d", env.ContainerId);
        Assert.Equal("/var/run/netns/pod1", env.Netns);
        Assert.Equal("eth0", env.IfName);
        Assert.Equal(["/opt/cni/bin", "/usr/lib/cni"], env.Path);
        Assert.Equal("mysql-0", env.Args["K8S_POD_NAME"]);
        Assert.Equal("db", env.Args["K8S_POD_NAMESPACE"]);
        Assert.Equal("/usr/sbin:/usr/bin:/sbin:/bin", env.Get("PATH"));
    }

    [Theory]
    [InlineData("ADD", CniCommand.Add)]
    [InlineData("DEL", CniCommand.Del)]
    [InlineData("CHECK", CniCommand.Check)]
    [InlineData("STATUS", CniCommand.Status)]
    [InlineData("GC", CniCommand.Gc)]
    [InlineData("VERSION", CniCommand.Version)]
    public void Every_spec_verb_is_recognised(string verb, CniCommand expected)
    {
        Assert.Equal(expected, CniEnvironment.Parse(TestEnv.For(verb)).Command);
        Assert.Equal(verb, expected.ToVerb());
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("add")]
    public void Unknown_command_is_code_4(string verb) =>
        Assert.Contains($"unknown CNI_COMMAND \"{verb}\"", Fails(TestEnv.For(verb)).Msg);

    [Fact]
    public void Missing_command_is_code_4() =>
        Assert.Equal("CNI_COMMAND is required", Fails(TestEnv.For("ADD").Without("CNI_COMMAND")).Msg);

    [Theory]
    [InlineData("ADD", "CNI_CONTAINERID")]
    [InlineData("ADD", "CNI_NETNS")]
    [InlineData("ADD", "CNI_IFNAME")]
    [InlineData("ADD", "CNI_PATH")]
    [InlineData("CHECK", "CNI_CONTAINERID")]
    [InlineData("CHECK", "CNI_NETNS")]
    [InlineData("CHECK", "CNI_IFNAME")]
    [InlineData("CHECK", "CNI_PATH")]
    [InlineData("DEL", "CNI_CONTAINERID")]
    [InlineData("DEL", "CNI_IFNAME")]
    [InlineData("DEL", "CNI_PATH")]
    [InlineData("GC", "CNI_PATH")]
    [InlineData("STATUS", "CNI_PATH")]
    public void Missing_required_variable_is_code_4_naming_the_variable(string verb, string variable) =>
        Assert.Equal($"{variable} is required for {verb}", Fails(TestEnv.For(verb).Without(variable)).Msg);

    [Fact]
    public void Missing_ifname_on_add_is_code_4_naming_the_variable() =>
        Assert.Equal("CNI_IFNAME is required for ADD", Fails(TestEnv.For("ADD").Without("CNI_IFNAME")).Msg);

    [Fact]
    public void Empty_variable_counts_as_missing() =>
        Assert.Equal("CNI_NETNS is required for ADD", Fails(TestEnv.For("ADD").With("CNI_NETNS", "")).Msg);

    [Fact]
    public void Del_without_netns_is_accepted_because_the_namespace_may_be_gone()
    {
        var env = CniEnvironment.Parse(TestEnv.For("DEL").Without("CNI_NETNS"));
        Assert.Equal("", env.Netns);
    }

    [Theory]
    [InlineData("GC")]
    [InlineData("STATUS")]
    public void Gc_and_status_need_only_cni_path(string verb)
    {
        var env = new Dictionary<string, string?> { ["CNI_COMMAND"] = verb, ["CNI_PATH"] = "/opt/cni/bin" };
        var parsed = CniEnvironment.Parse(env);
        Assert.Equal("", parsed.ContainerId);
        Assert.Equal("", parsed.IfName);
    }

    [Fact]
    public void Version_needs_nothing() =>
        Assert.Equal(CniCommand.Version, CniEnvironment.Parse(new Dictionary<string, string?> { ["CNI_COMMAND"] = "VERSION" }).Command);

    [Theory]
    [InlineData("eth0123456789012")] // 16 bytes
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("eth/0")]
    [InlineData("eth:0")]
    [InlineData("eth 0")]
    [InlineData("eth\t0")]
    [InlineData("äääääääää")] // 9 characters, 18 bytes
    public void Invalid_interface_name_is_code_4_naming_the_variable(string ifname) =>
        Assert.StartsWith("CNI_IFNAME ", Fails(TestEnv.For("ADD").With("CNI_IFNAME", ifname)).Msg);

    [Theory]
    [InlineData("eth012345678901")] // exactly 15 bytes
    [InlineData("net1")]
    [InlineData("e")]
    [InlineData("eth0.100")]
    public void Valid_interface_names_pass(string ifname) =>
        Assert.Equal(ifname, CniEnvironment.Parse(TestEnv.For("ADD").With("CNI_IFNAME", ifname)).IfName);

    [Theory]
    [InlineData("-abc")]
    [InlineData("_abc")]
    [InlineData("abc/def")]
    [InlineData("abc def")]
    [InlineData("abc;rm")]
    public void Invalid_container_id_is_code_4_naming_the_variable(string id) =>
        Assert.StartsWith("CNI_CONTAINERID ", Fails(TestEnv.For("ADD").With("CNI_CONTAINERID", id)).Msg);

    [Theory]
    [InlineData("a")]
    [InlineData("3f2a9c1b0d")]
    [InlineData("pod_1.ctr-2")]
    public void Valid_container_ids_pass(string id) =>
        Assert.Equal(id, CniEnvironment.Parse(TestEnv.For("ADD").With("CNI_CONTAINERID", id)).ContainerId);

    [Fact]
    public void Cni_args_are_split_into_pairs_keeping_everything_after_the_first_equals()
    {
        var args = CniEnvironment.ParseArgs("IgnoreUnknown=1;K8S_POD_NAME=mysql-0;X=a=b;");
        Assert.Equal(3, args.Count);
        Assert.Equal("1", args["IgnoreUnknown"]);
        Assert.Equal("mysql-0", args["K8S_POD_NAME"]);
        Assert.Equal("a=b", args["X"]);
    }

    [Fact]
    public void Cni_args_allow_an_empty_value() =>
        Assert.Equal("", CniEnvironment.ParseArgs("K=")["K"]);

    [Fact]
    public void Absent_cni_args_are_empty() =>
        Assert.Empty(CniEnvironment.Parse(TestEnv.For("ADD").Without("CNI_ARGS")).Args);

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("A=1;=2")]
    [InlineData("A=1;B")]
    public void Malformed_cni_args_pair_is_code_4(string raw)
    {
        var msg = Fails(TestEnv.For("ADD").With("CNI_ARGS", raw)).Msg;
        Assert.StartsWith("CNI_ARGS: malformed pair", msg);
    }
}
