using Cdd.Cni.Contracts;

namespace Cdd.Cni;

/// <summary>Maps the config's "mode" to the code that plugs the interface.</summary>
internal static class ModeRegistry
{
    public static IReadOnlyList<string> Names { get; } = ["macvlan", "overlay", "sriov"];

    public static IMode? Create(string mode) => mode switch
    {
        "macvlan" => new Macvlan.MacvlanPlugin(),
        "overlay" => new Overlay.OverlayPlugin(),
        "sriov" => new Sriov.SriovPlugin(),
        _ => null,
    };
}
