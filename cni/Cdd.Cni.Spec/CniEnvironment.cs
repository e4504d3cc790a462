namespace Cdd.Cni.Spec;

/// <summary>The CNI_* variables of one invocation, checked against what the verb needs.</summary>
public sealed class CniEnvironment
{
    private static readonly IReadOnlyDictionary<string, string> NoArgs = new Dictionary<string, string>();

    public required CniCommand Command { get; init; }
    /// <summary>Empty for GC, STATUS and VERSION, which carry no container.</summary>
    public string ContainerId { get; init; } = "";
    /// <summary>Empty when the runtime gave none (allowed for DEL: the namespace may be gone already).</summary>
    public string Netns { get; init; } = "";
    public string IfName { get; init; } = "";
    /// <summary>CNI_ARGS as key/value pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, ...).</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = NoArgs;
    /// <summary>CNI_PATH directories, in search order.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];
    /// <summary>The whole environment as received, so delegated plugins see exactly what we saw.</summary>
    public IReadOnlyDictionary<string, string?> Variables { get; init; } = new Dictionary<string, string?>();

    public static CniEnvironment Parse(IDictionary<string, string?> env)
    {
        string? verb = Get(env, "CNI_COMMAND");
        if (verb is null) throw Invalid("CNI_COMMAND is required");
        if (!CniCommandText.TryParse(verb, out var command))
            throw Invalid($"unknown CNI_COMMAND \"{verb}\" (one of: ADD, DEL, CHECK, STATUS, GC, VERSION)");

        bool needsContainer = command is CniCommand.Add or CniCommand.Del or CniCommand.Check;
        bool needsNetns = command is CniCommand.Add or CniCommand.Check;
        bool needsPath = command != CniCommand.Version;

        string containerId = Require(env, "CNI_CONTAINERID", needsContainer, verb);
        string netns = Require(env, "CNI_NETNS", needsNetns, verb);
        string ifName = Require(env, "CNI_IFNAME", needsContainer, verb);
        string path = Require(env, "CNI_PATH", needsPath, verb);

        if (needsContainer)
        {
            if (!CniIdentifiers.IsValidName(containerId))
                throw Invalid($"CNI_CONTAINERID \"{containerId}\" is invalid: it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
            if (CniIdentifiers.WhyInvalidInterfaceName(ifName) is { } why)
                throw Invalid($"CNI_IFNAME {why}");
        }

        return new CniEnvironment
        {
            Command = command,
            ContainerId = containerId,
            Netns = netns,
            IfName = ifName,
            Args = ParseArgs(Get(env, "CNI_ARGS")),
            Path = path.Split(':', StringSplitOptions.RemoveEmptyEntries),
            Variables = new Dictionary<string, string?>(env, StringComparer.Ordinal),
        };
    }

    /// <summary>A variable of the environment we were started with (CDD_* tuning knobs included).</summary>
    public string? Get(string name) => Variables.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    /// <summary>"K=V;K2=V2". Empty segments (a trailing ';') are tolerated; a segment without a key is not.</summary>
    public static IReadOnlyDictionary<string, string> ParseArgs(string? raw)
    {
        if (string.IsNullOrEmpty(raw)) return NoArgs;
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in raw.Split(';'))
        {
            if (pair.Length == 0) continue;
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw Invalid($"CNI_ARGS: malformed pair \"{pair}\" (want KEY=VALUE)");
            args[pair[..eq]] = pair[(eq + 1)..];
        }
        return args;
    }

    private static string? Get(IDictionary<string, string?> env, string name) =>
        env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static string Require(IDictionary<string, string?> env, string name, bool required, string verb)
    {
        string? value = Get(env, name);
        if (value is null && required) throw Invalid($"{name} is required for {verb}");
        return value ?? "";
    }

    private static CniException Invalid(string msg) => new(CniErrorCodes.InvalidEnvironmentVariables, msg);
}
