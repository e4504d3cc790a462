using System.Text.Json;

namespace Cdd.Cni.Ipam;

/// <summary>
/// Changes only the top-level "cniVersion" of a config and leaves every other byte alone, so a delegate that
/// speaks an older version still sees the runtime's config, not our re-serialisation of it.
/// </summary>
internal static class ConfigVersionRewriter
{
    public static byte[] Rewrite(byte[] config, string version)
    {
        int bom = config.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var reader = new Utf8JsonReader(config.AsSpan(bom));
        var spans = new List<(int Start, int End)>();
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("config is not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool hit = reader.ValueTextEquals("cniVersion"u8);
            reader.Read();
            if (hit && reader.TokenType == JsonTokenType.String)
                spans.Add((bom + (int)reader.TokenStartIndex, bom + (int)reader.BytesConsumed));
            else
                reader.Skip();
        }

        using var output = new MemoryStream(config.Length + 8);
        int at = 0;
        foreach (var (start, end) in spans)
        {
            output.Write(config, at, start - at);
            using (var writer = new Utf8JsonWriter(output)) writer.WriteStringValue(version);
            at = end;
        }
        output.Write(config, at, config.Length - at);
        return output.ToArray();
    }
}
