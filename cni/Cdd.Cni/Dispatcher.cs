using System.Diagnostics;
using Cdd.Cni.Contracts;
using Cdd.Cni.Ipam;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni;

/// <summary>One CNI invocation: environment and config in, result or error out, in the spec's order of checks.</summary>
internal static class Dispatcher
{
    public const string DefaultStateDir = "/var/lib/cni/cdd";

    public static int Run(IDictionary<string, string?> env, Stream stdin, Stream stdout, TextWriter stderr, Func<string, IMode?> modes) =>
        Run(env, stdin, stdout, stderr, modes, new IpamRouter());

    public static int Run(IDictionary<string, string?> env, Stream stdin, Stream stdout, TextWriter stderr, Func<string, IMode?> modes, IIpam ipam)
    {
        var log = new CniLog(stderr, env.TryGetValue("CDD_CNI_DEBUG", out var dbg) && dbg == "1");
        var watch = Stopwatch.StartNew();
        byte[] raw = [];
        string who = "cmd=" + (env.TryGetValue("CNI_COMMAND", out var c) ? c : "");
        try
        {
            raw = ReadAll(stdin);
            var cniEnv = CniEnvironment.Parse(env);
            who = $"cmd={cniEnv.Command.ToVerb()} container={cniEnv.ContainerId} ifname={cniEnv.IfName}";
            log.Trace("cni.start", $"{who} netns={cniEnv.Netns} args={cniEnv.Get("CNI_ARGS")}");

            byte[]? output = Dispatch(cniEnv, raw, modes, ipam, env);
            if (output is not null) Write(stdout, output);
            log.Trace("cni.done", $"{who} ms={watch.ElapsedMilliseconds}");
            return 0;
        }
        catch (CniException ex)
        {
            log.Error("cni.error", $"{who} code={ex.Code} msg=\"{ex.Msg}\"" + (ex.Details is null ? "" : $" details=\"{ex.Details}\""));
            return Fail(stdout, ex, raw, log);
        }
        catch (Exception ex)
        {
            log.Error("cni.crash", $"{who} {ex}");
            // The type and stack went to stderr above; the runtime's error carries the message only.
            var wrapped = new CniException(CniErrorCodes.Internal, $"internal error: {ex.Message}");
            return Fail(stdout, wrapped, raw, log);
        }
    }

    private static byte[]? Dispatch(CniEnvironment env, byte[] raw, Func<string, IMode?> modes, IIpam ipam, IDictionary<string, string?> vars)
    {
        if (env.Command == CniCommand.Version) return VersionInfo.ToJsonUtf8(VersionInfo.Probe(raw));

        var config = NetConfParser.Parse(raw, env.Command);
        var mode = ResolveMode(config, modes);
        var ctx = new CniContext
        {
            Env = env,
            Config = config,
            RawConfig = raw,
            Ipam = ipam,
            PrevResult = config.PrevResult is { ValueKind: not System.Text.Json.JsonValueKind.Null } prev
                ? ResultReader.Read(prev, "prevResult")
                : null,
            StateDir = vars.TryGetValue("CDD_STATE_DIR", out var dir) && !string.IsNullOrEmpty(dir) ? dir : DefaultStateDir,
        };

        switch (env.Command)
        {
            case CniCommand.Add:
                ipam.Validate(ctx);
                mode.Validate(ctx);
                return ResultWriter.ToJsonUtf8(mode.Add(ctx), config.CniVersion!);
            case CniCommand.Del:
                mode.Validate(ctx);
                mode.Del(ctx);
                return null;
            case CniCommand.Check:
                if (ctx.PrevResult is null)
                    throw new CniException(CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
                ipam.Validate(ctx);
                mode.Validate(ctx);
                mode.Check(ctx);
                return null;
            case CniCommand.Status:
                mode.Status(ctx);
                ipam.Status(ctx);
                return null;
            case CniCommand.Gc:
                mode.Gc(ctx);
                ipam.Gc(ctx);
                return null;
            default:
                throw new UnreachableException(env.Command.ToString());
        }
    }

    private static IMode ResolveMode(NetConf config, Func<string, IMode?> modes)
    {
        string known = string.Join(", ", ModeRegistry.Names);
        if (string.IsNullOrEmpty(config.Mode))
            throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"mode is required (one of: {known})");
        return modes(config.Mode)
            ?? throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"mode \"{config.Mode}\" is unknown (one of: {known})");
    }

    private static int Fail(Stream stdout, CniException ex, byte[] raw, CniLog log)
    {
        string? version = VersionInfo.Probe(raw);
        try
        {
            Write(stdout, ex.ToJsonUtf8(CniVersions.IsSupported(version) ? version! : CniVersions.Latest));
        }
        catch (IOException io)
        {
            log.Error("cni.stdout", $"cannot write the error to stdout: {io.Message}");
        }
        return 1;
    }

    private static byte[] ReadAll(Stream stdin)
    {
        try
        {
            using var buffer = new MemoryStream();
            stdin.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (IOException ex)
        {
            throw new CniException(CniErrorCodes.IoFailure, "cannot read the network config from stdin", ex.Message, ex);
        }
    }

    private static void Write(Stream stdout, byte[] bytes)
    {
        stdout.Write(bytes);
        stdout.Flush();
    }
}
