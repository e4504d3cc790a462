using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Ipam.Agent.Protocol;

namespace Cdd.Ipam.Plugin;

/// <summary>
/// cdd-ipam under another main plugin (the reference macvlan, say) with the pool served by cdd-ipamd: each verb is
/// one request on the agent's socket, the same requests cdd-cni sends when it asks the agent itself.
/// </summary>
internal sealed class AgentModePlugin(CniEnvironment env, NetConf config)
{
    public byte[]? Run()
    {
        var agent = new AgentVerbs(AgentSettings.Parse(config.Ipam!.Value), env, config);
        switch (env.Command)
        {
            case CniCommand.Add:
                return IpamPlugin.ToResultJson(agent.Add(), config.CniVersion!);
            case CniCommand.Del:
                agent.Del();
                return null;
            case CniCommand.Check:
                if (config.PrevResult is not { ValueKind: not JsonValueKind.Null } prev)
                    throw new CniException(CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
                agent.Check(ResultReader.Read(prev, "prevResult"));
                return null;
            case CniCommand.Gc:
                agent.Gc();
                return null;
            case CniCommand.Status:
                agent.Status();
                return null;
            default:
                throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"unknown command {env.Command}");
        }
    }
}
