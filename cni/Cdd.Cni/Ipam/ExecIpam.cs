using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Ipam;

/// <summary>
/// Delegates to the IPAM plugin named by ipam.type, found in CNI_PATH, exactly as the spec's delegation rules say:
/// our environment with CNI_COMMAND set to the verb, the runtime's config bytes on stdin, a result or error on stdout.
/// </summary>
internal sealed class ExecIpam : IIpam
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly TimeSpan? _timeout;

    /// <param name="timeout">Overrides CDD_IPAM_TIMEOUT (seconds, default 30).</param>
    public ExecIpam(TimeSpan? timeout = null) => _timeout = timeout;

    public CniResult Add(CniContext ctx)
    {
        var call = Prepare(ctx, CniCommand.Add);
        byte[] stdout = Invoke(call);
        return ResultReader.Read(stdout, $"ipam {call.Type} result");
    }

    public void Del(CniContext ctx) => Invoke(Prepare(ctx, CniCommand.Del));

    public void Check(CniContext ctx) => Invoke(Prepare(ctx, CniCommand.Check));

    public void Gc(CniContext ctx)
    {
        if (ctx.Config.IpamType is null) return;
        var call = Prepare(ctx, CniCommand.Gc);
        // A plugin from before 1.1.0 has no GC verb and, by the spec, nothing it is allowed to collect.
        if (!SupportedVersions(call).Contains(CniVersions.Latest)) return;
        Invoke(call);
    }

    public void Status(CniContext ctx)
    {
        if (ctx.Config.IpamType is null) return;
        var call = Prepare(ctx, CniCommand.Status);
        // Before 1.1.0 there is no STATUS verb; being there and executable is all such a plugin can tell us.
        if (!SupportedVersions(call).Contains(CniVersions.Latest)) return;
        Invoke(call);
    }

    private sealed record Call(CniContext Ctx, CniCommand Command, string Type, string Path, TimeSpan Timeout)
    {
        public string Label => $"ipam {Type}";
    }

    private Call Prepare(CniContext ctx, CniCommand command)
    {
        string type = ctx.Config.IpamType
            ?? throw new CniException(CniErrorCodes.InvalidNetworkConfig, "ipam.type is required");
        int notThere = command == CniCommand.Status ? CniErrorCodes.PluginNotAvailable : CniErrorCodes.InvalidNetworkConfig;
        string path = Find(type, ctx.Env.Path)
            ?? throw new CniException(notThere, $"ipam plugin {type} not found in CNI_PATH ({string.Join(':', ctx.Env.Path)})");
        if (!IsExecutable(path))
            throw new CniException(notThere, $"ipam plugin {type} at {path} is not executable");
        return new Call(ctx, command, type, path, _timeout ?? TimeoutFrom(ctx.Env));
    }

    private static string? Find(string type, IReadOnlyList<string> dirs)
    {
        foreach (var dir in dirs)
        {
            string candidate = System.IO.Path.Join(dir, type);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    // CNI is Linux-only; the guard only tells the platform analyzer so.
    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static TimeSpan TimeoutFrom(CniEnvironment env)
    {
        if (env.Get("CDD_IPAM_TIMEOUT") is not { } text) return DefaultTimeout;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 3600)
            return TimeSpan.FromSeconds(s);
        throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CDD_IPAM_TIMEOUT \"{text}\" is not a number of seconds (0..3600]");
    }

    /// <summary>Runs the verb; on "incompatible version" retries once at the newest version both sides speak.</summary>
    private static byte[] Invoke(Call call)
    {
        byte[] config = call.Ctx.RawConfig;
        string? current = call.Ctx.Config.CniVersion;
        // Known to be older than the config: ask in its version straight away.
        if (new DelegateVersionCache(call.Ctx.StateDir).Get(call.Path) is { } known && !known.Contains(current!)
            && CniVersions.HighestCommon(known) is { } common && CniVersions.Compare(common, current) < 0)
            config = ConfigVersionRewriter.Rewrite(config, common);

        var output = Exec(call, call.Command, config);
        if (output.ExitCode == 0) return output.Stdout;

        var error = DelegateError(call, output);
        if (error.Code == CniErrorCodes.IncompatibleVersion)
        {
            // Debian's reference plugins stop at 1.0.0 and refuse a 1.1.0 config outright, though the older result is
            // all we need. Costs two more execs, once per binary: the answer is cached.
            string? older = CniVersions.HighestCommon(SupportedVersions(call));
            if (older is not null && CniVersions.Compare(older, current) < 0)
            {
                output = Exec(call, call.Command, ConfigVersionRewriter.Rewrite(config, older));
                if (output.ExitCode == 0) return output.Stdout;
                error = DelegateError(call, output);
            }
        }
        throw error;
    }

    private static IReadOnlyList<string> SupportedVersions(Call call)
    {
        var cache = new DelegateVersionCache(call.Ctx.StateDir);
        if (cache.Get(call.Path) is { } known) return known;
        byte[] ask = JsonSerializer.SerializeToUtf8Bytes(new VersionJson { CniVersion = CniVersions.Latest }, CniJsonContext.Default.VersionJson);
        var output = Exec(call, CniCommand.Version, ask);
        if (output.ExitCode != 0) throw DelegateError(call, output);
        try
        {
            var info = JsonSerializer.Deserialize(output.Stdout, CniJsonContext.Default.VersionJson);
            var versions = info?.SupportedVersions ?? [];
            cache.Put(call.Path, versions);
            return versions;
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, $"{call.Label} VERSION");
        }
    }

    private static DelegateOutput Exec(Call call, CniCommand verb, byte[] stdin)
    {
        var env = new Dictionary<string, string?>(call.Ctx.Env.Variables, StringComparer.Ordinal)
        {
            ["CNI_COMMAND"] = verb.ToVerb(),
        };
        try
        {
            return DelegateProcess.Run(call.Path, env, stdin, call.Timeout, $"{call.Label} {verb.ToVerb()}");
        }
        catch (Win32Exception ex)
        {
            // Exists and has an x bit but exec fails: a bad interpreter line, a foreign architecture.
            int code = call.Command == CniCommand.Status ? CniErrorCodes.PluginNotAvailable : CniErrorCodes.Internal;
            throw new CniException(code, $"{call.Label}: cannot execute {call.Path}", ex.Message, ex);
        }
    }

    /// <summary>The delegate's own error when it printed one, else code 100 with what it said on stderr.</summary>
    private static CniException DelegateError(Call call, DelegateOutput output)
    {
        ErrorJson? error = null;
        try
        {
            error = JsonSerializer.Deserialize(output.Stdout, CniJsonContext.Default.ErrorJson);
        }
        catch (JsonException)
        {
            // Not JSON at all: a panic or a crash; the stderr tail is the best we have.
        }
        if (error is { Code: > 0 })
            return new CniException(error.Code, $"{call.Label}: {error.Msg}", string.IsNullOrEmpty(error.Details) ? null : error.Details);

        string details = output.StderrTail.Length > 0 ? output.StderrTail : System.Text.Encoding.UTF8.GetString(output.Stdout).Trim();
        return new CniException(CniErrorCodes.Internal,
            $"{call.Label}: exited with code {output.ExitCode} without a CNI error on stdout", details.Length > 0 ? details : null);
    }
}
