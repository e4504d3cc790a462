using System.Text.Json.Serialization;

namespace Cdd.Csi.San.Node;

/// <summary>
/// What NodeStage attached for one volume, on disk, so that NodeUnstage (which gets only the volume ID), also after a driver
/// restart, removes every path it added (including those that appeared late), the map, and the sessions no one else uses.
/// </summary>
internal sealed record StageRecord
{
    public required string VolumeId { get; init; }
    public required string Transport { get; init; }
    public string? TargetIqn { get; init; }
    public List<string> Portals { get; init; } = [];
    public int Lun { get; init; }
    public required string Wwid { get; init; }
    public required string Serial { get; init; }
    public List<string> Paths { get; init; } = [];
    public string? Map { get; init; }
}

[JsonSerializable(typeof(StageRecord))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class StageJson : JsonSerializerContext;
