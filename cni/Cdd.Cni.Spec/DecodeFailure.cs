using System.Text.Json;

namespace Cdd.Cni.Spec;

/// <summary>Turns a parser failure into the spec's code 6, with where it happened up front.</summary>
public static class DecodeFailure
{
    public static CniException From(JsonException ex, string what)
    {
        // The published binary uses resource keys instead of messages (UseSystemResourceKeys), so the position is
        // rebuilt from the exception's properties rather than relied on inside its text.
        var where = new List<string>(3);
        if (!string.IsNullOrEmpty(ex.Path) && ex.Path != "$") where.Add($"at {ex.Path}");
        if (ex.LineNumber is long line) where.Add($"line {line + 1}");
        if (ex.BytePositionInLine is long pos) where.Add($"byte {pos + 1}");
        string position = where.Count == 0 ? "" : " (" + string.Join(", ", where) + ")";
        return new CniException(CniErrorCodes.DecodingFailure, $"{what}: cannot decode JSON{position}", ex.Message, ex);
    }
}
