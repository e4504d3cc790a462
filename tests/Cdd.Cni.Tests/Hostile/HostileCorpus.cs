using System.Text;
using System.Text.Json.Nodes;

namespace Cdd.Cni.Tests.Hostile;

/// <summary>
/// The seeded corpus of hostile inputs: syntax, a wrong JSON type for every field, bad values, CNI_* variables
/// (CNI_NETNS of every kind of file), runtimeConfig, pools and data dirs, for cdd-cni (macvlan with host-local and
/// cdd-ipam, overlay) and for cdd-ipam on its own. Same seed, same cases.
/// </summary>
internal sealed class HostileCorpus(HostilePaths paths, int seed = 1212)
{
    public const string PoolName = "corpuspool";
    public const string NetworkName = "corpusnet";
    readonly Random _rng = new(seed);
    int _next;

    string HostLocal => $$$"""{"type":"host-local","dataDir":"{{{paths.DataDir}}}/hl","ranges":[[{"subnet":"10.66.0.0/24","gateway":"10.66.0.1"}]]}""";
    string CddIpam => $$$"""{"type":"cdd-ipam","store":"file","dataDir":"{{{paths.DataDir}}}/ci","node":{"name":"n1"},"pool":{"name":"{{{PoolName}}}","segments":[{"name":"s1","subnet":"10.67.0.0/24","gateway":"10.67.0.1"}]}}""";
    string Macvlan(string ipam) => $$"""{"cniVersion":"1.1.0","name":"{{NetworkName}}","type":"cdd-cni","mode":"macvlan","master":"m0","ipam":{{ipam}}}""";
    string Overlay => $$"""{"cniVersion":"1.1.0","name":"{{NetworkName}}","type":"cdd-cni","mode":"overlay","vni":77,"underlay":"m0","peers":["192.0.2.9"],"ipam":{{HostLocal}}}""";

    (string Binary, string Config)[] Bases => [
        (paths.CddCni, Macvlan(HostLocal)),
        (paths.CddCni, Macvlan(CddIpam)),
        (paths.CddCni, Overlay),
        (paths.CddIpam, Macvlan(CddIpam)),
    ];

    static readonly string[] Verbs = ["ADD", "DEL", "CHECK", "GC", "STATUS"];

    static readonly string[] WrongTypes = ["42", "-1", "1.5", "\"x\"", "true", "null", "[]", "{}", "[null]", "{\"a\":null}", "\"\"", "[[]]"];

    static readonly string[] Fields = [
        "cniVersion", "name", "type", "mode", "master", "mtu", "ipam", "ipam.type", "ipam.dataDir", "ipam.ranges", "ipam.store",
        "ipam.pool", "ipam.pool.name", "ipam.pool.segments", "ipam.node", "ipam.node.trunkVlans", "runtimeConfig", "runtimeConfig.mac",
        "runtimeConfig.ips", "prevResult", "vni", "peers", "bridge", "underlay", "vxlanPort", "localAddress", "cni.dev/valid-attachments",
    ];

    public List<HostileCase> Generate()
    {
        var cases = new List<HostileCase>();
        NetnsKinds(cases);
        WrongTypeOfEveryField(cases);
        Syntax(cases);
        Values(cases);
        Environment(cases);
        return cases;
    }

    void NetnsKinds(List<HostileCase> cases)
    {
        foreach (var (binary, config) in Bases)
            foreach (string verb in new[] { "ADD", "DEL", "CHECK" })
                foreach (string netns in paths.HostileNetns)
                    cases.Add(Case("netns", binary, verb, WithPrev(config, verb), netns: netns));
    }

    /// <summary>host-local is Debian's, not ours: its dataDir and ranges are its business (it writes where it is told).</summary>
    static bool IsOursToCheck(string config, string field) =>
        !(config.Contains("host-local") && field.StartsWith("ipam.", StringComparison.Ordinal) && field != "ipam.type");

    void WrongTypeOfEveryField(List<HostileCase> cases)
    {
        foreach (var (binary, config) in Bases)
            foreach (string field in Fields.Where(f => IsOursToCheck(config, f)))
                foreach (string value in WrongTypes)
                {
                    string verb = Pick("ADD", "DEL", "GC", "ADD");
                    cases.Add(Case("type", binary, verb, Set(config, field, value)));
                }
    }

    void Syntax(List<HostileCase> cases)
    {
        foreach (var (binary, config) in Bases)
        {
            for (int i = 0; i < 25; i++) cases.Add(Case("syntax", binary, Pick(Verbs), config[.._rng.Next(config.Length)]));
            for (int i = 0; i < 8; i++)
            {
                var bytes = new byte[_rng.Next(1, 200)];
                _rng.NextBytes(bytes);
                cases.Add(Case("syntax", binary, Pick(Verbs), Encoding.Latin1.GetString(bytes).Replace('\0', ' ')));
            }
            cases.Add(Case("syntax", binary, "ADD", new string('[', 5000) + new string(']', 5000)));
            cases.Add(Case("syntax", binary, "ADD", "\uFEFF" + config));
            cases.Add(Case("syntax", binary, "ADD", config + config));
            cases.Add(Case("syntax", binary, "ADD", config.Replace("\"name\"", "\"name\":1,\"name\"")));
            cases.Add(Case("syntax", binary, "ADD", "[" + config + "]"));
            cases.Add(Case("syntax", binary, "ADD", config.Replace(NetworkName, new string('n', 100_000))));
            cases.Add(Case("syntax", binary, "ADD", "   "));
            cases.Add(Case("syntax", binary, "ADD", "null"));
        }
    }

    void Values(List<HostileCase> cases)
    {
        (string Field, string[] Values)[] table = [
            ("mtu", ["0", "67", "65536", "-5", "2147483647", "1e3"]),
            ("name", ["\"\"", "\"-x\"", "\"a b\"", "\"ü\"", $"\"{new string('a', 300)}\"", "\"a/b\""]),
            ("cniVersion", ["\"9.9.9\"", "\"\"", "\"1.1\"", "\"0.1.0\"", "\"1.1.0 \""]),
            ("mode", ["\"ipvlan\"", "\"\"", "\"MACVLAN\""]),
            ("master", ["\"\"", "\"eth%d\"", "\"../m0\"", "\"nope0\"", $"\"{new string('m', 16)}\"", "\"all\""]),
            ("runtimeConfig.mac", ["\"020000000009\"", "\"0200.0000.0009\"", "\"ff:ff:ff:ff:ff:ff\"", "\"01:00:5e:00:00:01\"", "\"00:00:00:00:00:00\"", "\"02:00:00:00:00\"", "\"zz:00:00:00:00:01\"", "\"02-00-00-00-00-09-\""]),
            ("runtimeConfig.ips", ["[\"10.67.0.300\"]", "[\"10.67.0.5\",\"10.67.0.6\"]", "[\"x\"]", "[\"10.99.0.5/24\"]", "[\"::/0\"]", "[\"\"]"]),
            ("ipam.type", ["\"cdd-cni\"", "\"../bin/sh\"", "\"/bin/sh\"", "\".\"", "\"no-such-ipam\"", "\"\""]),
            ("ipam.dataDir", ["\"relative/dir\"", "\"/\"", "\"/etc\"", "\"/proc/self\"", "\"/run/netns\"", "\"/var/run/netns\"", "\"/sys/x\"", "\"/dev/shm\"",
                $"\"{paths.Outside}/a/../../b\"", $"\"{paths.Outside}/x\\u0000y\"", "\"/tmp/../etc\""]),
            ("ipam.pool.segments", [
                """[{"name":"s","subnet":"0.0.0.0/0"}]""", """[{"name":"s","subnet":"::/0"}]""",
                """[{"name":"s","subnet":"10.67.0.0/24","gateway":"10.67.0.0"}]""", """[{"name":"s","subnet":"10.67.0.0/24","gateway":"10.67.0.255"}]""",
                """[{"name":"s","subnet":"10.67.0.5/24"}]""", """[{"name":"s","subnet":"10.67.0.0/33"}]""", """[{"name":"S_1","subnet":"10.67.0.0/24"}]""",
                """[{"name":"s","subnet":"10.67.0.0/24","vlan":5000}]""", """[{"name":"s","subnet":"10.67.0.0/24","ranges":[{"start":"10.67.0.9","end":"10.67.0.2"}]}]""",
                """[{"name":"s","subnet":"10.67.0.0/24"},{"name":"s","subnet":"10.67.0.0/25"}]"""]),
            ("peers", ["[\"0.0.0.0\"]", "[\"255.255.255.255\"]", "[\"224.0.0.1\"]", "[\"192.0.2.9\",\"192.0.2.9\"]", "[\"127.0.0.1\"]", "[\"10.1\"]", "[\"fe80::1\"]", "[\"x\"]"]),
            ("bridge", ["\"-net\"", "\"brü\"", "\"a b\"", "\"\"", $"\"{new string('b', 16)}\"", "\"eth%d\""]),
            ("vni", ["0", "16777216", "-1"]),
            ("vxlanPort", ["0", "65536"]),
            ("cni.dev/valid-attachments", ["[null]", "[{}]", "[{\"containerID\":1}]", "[{\"containerID\":\"a\"}]", "[1]"]),
            ("prevResult", ["{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"x\"}]}", "{\"interfaces\":[null]}", "{\"ips\":[{\"address\":\"10.0.0.1/24\",\"interface\":99}]}"]),
        ];
        foreach (var (binary, config) in Bases)
            foreach (var (field, values) in table.Where(t => IsOursToCheck(config, t.Field)))
                foreach (string value in values)
                    foreach (string verb in new[] { "ADD", Pick("DEL", "CHECK", "GC", "STATUS") })
                        cases.Add(Case("value", binary, verb, WithPrev(Set(config, field, value), verb)));
    }

    void Environment(List<HostileCase> cases)
    {
        (string Name, string[] Values)[] table = [
            ("CNI_IFNAME", ["eth%d", "all", "default", new string('e', 16), "a/b", ".", "..", "a b", "a:b", "\u00e9\u00e9"]),
            ("CNI_CONTAINERID", ["-x", "a b", "a/b", "ü", "."]),
            ("CNI_COMMAND", ["add", "DELETE", "ADD ", "VERSIONS"]),
            ("CNI_ARGS", ["=x", "K8S_POD_NAME", ";;=;", "IgnoreUnknown=1;=v"]),
            ("CNI_PATH", ["/nonexistent", "relative", ":"]),
            ("CDD_IPAM_TIMEOUT", ["0", "-1", "abc", "99999"]),
            ("CDD_IPAM_LOCK_TIMEOUT", ["0", "abc"]),
        ];
        foreach (var (binary, config) in Bases)
            foreach (var (name, values) in table)
                foreach (string value in values)
                    foreach (string verb in new[] { "ADD", "DEL" })
                        cases.Add(Case("env", binary, verb, config, extra: new() { [name] = value }));
    }

    HostileCase Case(string category, string binary, string verb, string stdin, string? netns = null, Dictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = verb,
            ["CNI_CONTAINERID"] = $"corpus{_next++}",
            ["CNI_NETNS"] = netns ?? paths.PodNetns,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = paths.CniPath,
            ["CDD_STATE_DIR"] = paths.StateDir,
            ["CDD_NODE_NAME"] = "n1",
        };
        foreach (var (k, v) in extra ?? []) env[k] = v;
        return new HostileCase(category, binary, env, stdin);
    }

    string Pick(params string[] options) => options[_rng.Next(options.Length)];

    static string WithPrev(string config, string verb) =>
        verb == "CHECK" && !config.Contains("prevResult")
            ? Set(config, "prevResult", """{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"address":"10.66.0.5/24","interface":0}]}""")
            : config;

    /// <summary>The config with the field at a dotted path set to a raw JSON value (parents made as needed).</summary>
    static string Set(string config, string field, string json)
    {
        var root = JsonNode.Parse(config)!.AsObject();
        var parts = field == "cni.dev/valid-attachments" ? [field] : field.Split('.');
        JsonObject at = root;
        foreach (string p in parts[..^1])
        {
            if (at[p] is not JsonObject child)
            {
                child = new JsonObject();
                at[p] = child;
            }
            at = child;
        }
        at[parts[^1]] = json == "null" ? null : JsonNode.Parse(json);
        return root.ToJsonString();
    }
}
