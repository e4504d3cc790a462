using Cdd.Cni;
using Cdd.Cni.Ipam.Agent;
using Cdd.Cni.Spec;

namespace Cdd.Ipam.Plugin;

/// <summary>
/// cdd-ipam under another main plugin (the reference macvlan, say) with the pool served by cdd-ipamd: each verb is
/// one request on the agent's socket, the same requests cdd-cni sends when it asks the agent itself.
/// </summary>
public sealed class AgentModePlugin(CniEnvironment env, NetConf config, byte[] raw)
{
    public byte[]? Run()
    {
        var agent = new AgentIpam();
        var ctx = new CniContext
        {
            Env = env,
            Config = config,
            RawConfig = raw,
            Ipam = agent,
            PrevResult = config.PrevResult is { ValueKind: not System.Text.Json.JsonValueKind.Null } prev ? ResultReader.Read(prev, "prevResult") : null,
            StateDir = "",
        };
        switch (env.Command)
        {
            case CniCommand.Add:
                return IpamPlugin.ToResultJson(agent.Add(ctx), config.CniVersion!);
            case CniCommand.Del:
                agent.Del(ctx);
                return null;
            case CniCommand.Check:
                if (ctx.PrevResult is null) throw new CniException(CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
                agent.Check(ctx);
                return null;
            case CniCommand.Gc:
                agent.Gc(ctx);
                return null;
            case CniCommand.Status:
                agent.Status(ctx);
                return null;
            default:
                throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"unknown command {env.Command}");
        }
    }
}
