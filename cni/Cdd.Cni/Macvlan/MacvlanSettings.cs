using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Macvlan;

/// <summary>The macvlan mode's fields, validated. Every refusal is code 7 naming the field.</summary>
/// <param name="Master">The master's name; null: the interface of the node's default route.</param>
internal sealed record MacvlanSettings(string? Master, MacvlanMode Mode, string ModeName)
{
    static readonly Dictionary<string, MacvlanMode> Modes = new()
    {
        ["bridge"] = MacvlanMode.Bridge,
        ["private"] = MacvlanMode.Private,
        ["vepa"] = MacvlanMode.Vepa,
        ["passthru"] = MacvlanMode.Passthru,
    };

    public static MacvlanSettings Parse(byte[] raw)
    {
        var c = NetConfParser.ParseModeFields(raw, MacvlanJsonContext.Default.MacvlanConf);
        string modeName = c.MacvlanMode ?? "bridge";
        if (!Modes.TryGetValue(modeName, out var mode))
            throw Invalid($"macvlanMode \"{modeName}\" is unknown (one of: bridge, private, vepa, passthru)");
        return new MacvlanSettings(c.Master, mode, modeName);
    }

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}
