using System.Text.Json.Serialization;

namespace Cdd.Cni.Macvlan;

[JsonSerializable(typeof(MacvlanConf))]
internal sealed partial class MacvlanJsonContext : JsonSerializerContext;
