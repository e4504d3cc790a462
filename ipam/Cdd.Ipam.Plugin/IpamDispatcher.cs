using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;

namespace Cdd.Ipam.Plugin;

/// <summary>
/// One invocation of cdd-ipam: the spec's environment and config checks (cdd-cni's spec layer), the verb, and every
/// failure turned into the spec's error JSON on stdout. stderr gets one greppable line per error.
/// </summary>
internal static class IpamDispatcher
{
    public static int Run(IDictionary<string, string?> env, Stream stdin, Stream stdout, TextWriter stderr)
    {
        byte[] raw = [];
        try
        {
            raw = ReadAll(stdin);
            var cniEnv = CniEnvironment.Parse(env);
            if (cniEnv.Command == CniCommand.Version)
            {
                Write(stdout, VersionInfo.ToJsonUtf8(VersionInfo.Probe(raw)));
                return 0;
            }
            var config = NetConfParser.Parse(raw, cniEnv.Command);
            if (AgentSettings.Applies(config))
            {
                if (new AgentModePlugin(cniEnv, config).Run() is { } answer) Write(stdout, answer);
                return 0;
            }
            var settings = IpamSettings.Parse(raw, cniEnv.Variables);
            var plugin = new IpamPlugin(cniEnv, config, settings);
            byte[]? output = cniEnv.Command switch
            {
                CniCommand.Add => plugin.Add(),
                CniCommand.Del => plugin.Del(),
                CniCommand.Check => plugin.Check(),
                CniCommand.Gc => plugin.Gc(),
                CniCommand.Status => plugin.Status(),
                _ => throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"unknown command {cniEnv.Command}"),
            };
            if (output is not null) Write(stdout, output);
            return 0;
        }
        catch (Exception ex)
        {
            var error = IpamFailures.ToCni(ex);
            Log(stderr, $"cdd-ipam event=ipam.error cmd={(env.TryGetValue("CNI_COMMAND", out var c) ? c : "")} code={error.Code} msg=\"{error.Msg}\"");
            if (error.Code == CniErrorCodes.Internal) Log(stderr, ex.ToString());
            string? version = VersionInfo.Probe(raw);
            try
            {
                Write(stdout, error.ToJsonUtf8(CniVersions.IsSupported(version) ? version! : CniVersions.Latest));
            }
            catch (IOException)
            {
                // The runtime closed stdout; the exit code still says we failed.
            }
            return 1;
        }
    }

    static byte[] ReadAll(Stream stdin)
    {
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    static void Write(Stream stdout, byte[] bytes)
    {
        stdout.Write(bytes);
        stdout.Flush();
    }

    static void Log(TextWriter stderr, string line)
    {
        try
        {
            stderr.WriteLine(line);
            stderr.Flush();
        }
        catch (IOException)
        {
        }
    }
}
