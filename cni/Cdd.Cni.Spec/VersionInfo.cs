using System.Text.Json;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Spec;

/// <summary>The answer to VERSION.</summary>
public static class VersionInfo
{
    /// <summary>Echoes the caller's version when we speak it; otherwise says ours, and the list tells the rest.</summary>
    public static byte[] ToJsonUtf8(string? configVersion) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new VersionJson
            {
                CniVersion = CniVersions.IsSupported(configVersion) ? configVersion : CniVersions.Latest,
                SupportedVersions = [.. CniVersions.Supported],
            },
            CniJsonContext.Default.VersionJson);

    /// <summary>
    /// The top-level "cniVersion" of a config, or null when there is none or the text is not JSON. VERSION and the
    /// error path use it before (or instead of) a full parse, so it never throws.
    /// </summary>
    public static string? Probe(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json.StartsWith("\uFEFF"u8) ? json[3..] : json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool hit = reader.ValueTextEquals("cniVersion"u8);
                reader.Read();
                if (hit && reader.TokenType == JsonTokenType.String) found = reader.GetString();
                else reader.Skip();
            }
            return found;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
