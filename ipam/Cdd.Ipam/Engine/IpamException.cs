namespace Cdd.Ipam.Engine;

/// <summary>An allocation the engine refuses, typed so the plugin and the agent map each kind to their own codes.</summary>
public sealed class IpamException(IpamErrorKind kind, string message) : Exception(message)
{
    public IpamErrorKind Kind { get; } = kind;
}
