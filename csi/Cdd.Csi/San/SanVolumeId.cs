using Cdd.Csi.Validation;

namespace Cdd.Csi.San;

/// <summary>
/// A SAN volume ID names its array: "lio:&lt;vg&gt;/csi-&lt;40 hex&gt;" (an LV of the storage host exported by LIO) or
/// "pool:&lt;wwid&gt;" (a pre-provisioned LUN). ':' is not allowed in VG names, so no SAN ID parses as an LVM one.
/// </summary>
internal readonly record struct SanVolumeId(string Array, string Key)
{
    public const string Lio = "lio", Pool = "pool";

    public override string ToString() => $"{Array}:{Key}";

    public static SanVolumeId? TryParse(string id)
    {
        int colon = id.IndexOf(':');
        if (colon <= 0) return null;
        string array = id[..colon], key = id[(colon + 1)..];
        return array switch
        {
            Lio when VolumeId.TryParse(key) is not null => new SanVolumeId(Lio, key),
            Pool when Wwid.IsValid(key) => new SanVolumeId(Pool, key),
            _ => null,
        };
    }
}
