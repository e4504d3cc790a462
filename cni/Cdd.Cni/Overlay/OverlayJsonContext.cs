using System.Text.Json.Serialization;

namespace Cdd.Cni.Overlay;

[JsonSerializable(typeof(OverlayConf))]
internal sealed partial class OverlayJsonContext : JsonSerializerContext;
