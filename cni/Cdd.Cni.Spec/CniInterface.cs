namespace Cdd.Cni.Spec;

public sealed class CniInterface
{
    public required string Name { get; init; }
    public string? Mac { get; set; }
    public int? Mtu { get; set; }
    /// <summary>The netns path for a container interface; null for a host-side interface.</summary>
    public string? Sandbox { get; set; }
    public string? SocketPath { get; set; }
    public string? PciId { get; set; }
}
