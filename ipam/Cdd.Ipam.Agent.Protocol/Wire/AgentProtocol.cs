namespace Cdd.Ipam.Agent.Protocol.Wire;

/// <summary>
/// The cdd-ipamd wire protocol on its Unix socket: one request per connection. The client writes one JSON
/// <see cref="AgentRequest"/> ended by a newline (or, from an older client, by shutting its sending side) and keeps the
/// connection open; the agent answers one JSON <see cref="AgentResponse"/> and closes. A client that closes before the
/// answer has given up: the agent cancels the request. Version 1.
/// </summary>
public static class AgentProtocol
{
    public const int Version = 1;
    public const string DefaultSocket = "/run/cdd/ipamd.sock";
    /// <summary>Neither side reads more than this from the other.</summary>
    public const int MaxMessageBytes = 1 << 20;
}
