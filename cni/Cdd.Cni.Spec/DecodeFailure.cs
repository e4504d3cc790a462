using System.Text.Json;

namespace Cdd.Cni.Spec;

/// <summary>
/// Turns a parser failure into the spec's code 6 in the user's terms: the field (as a JSON path without "$.") and
/// the JSON type it needs. The serializer's own text names .NET types (System.Nullable`1[System.Int32]) or, in
/// the published binary, resource keys; neither means anything to a platform engineer, so neither is passed on.
/// </summary>
public static class DecodeFailure
{
    public static CniException From(JsonException ex, string what)
    {
        var where = new List<string>(2);
        if (ex.LineNumber is long line) where.Add($"line {line + 1}");
        if (ex.BytePositionInLine is long pos) where.Add($"byte {pos + 1}");
        string position = where.Count == 0 ? "" : " (" + string.Join(", ", where) + ")";
        string field = FieldOf(ex.Path);
        string? expected = ExpectedOf(ex.Message);
        string msg = field.Length == 0
            ? $"{what}: not valid JSON{position}"
            : expected is null
                ? $"{what}: not valid JSON near \"{field}\"{position}"
                : $"{what}: \"{field}\": expected {expected}{position}";
        return new CniException(CniErrorCodes.DecodingFailure, msg, null, ex);
    }

    /// <summary>"$.ipam.ranges[0]" → "ipam.ranges[0]"; the document itself is "".</summary>
    static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "";
        string p = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        // Property names with odd characters come as $['a.b']; keep them readable.
        return p.Replace("['", ".").Replace("']", "").TrimStart('.');
    }

    /// <summary>The JSON type the target .NET type stands for, read off the type name in the serializer's text.</summary>
    static string? ExpectedOf(string message)
    {
        if (Has(message, "System.Int", "System.UInt", "System.Byte", "System.SByte", "System.Int16", "System.UInt16")) return "an integer";
        if (Has(message, "System.Double", "System.Single", "System.Decimal")) return "a number";
        if (Has(message, "System.Boolean")) return "true or false";
        if (Has(message, "System.String")) return "a string";
        if (Has(message, "System.Collections.Generic.List", "[]", "IReadOnlyList", "IList")) return "an array";
        if (Has(message, "System.Collections.Generic.Dictionary", "Json.", "JsonElement")) return "an object";
        return null;
    }

    static bool Has(string message, params string[] names) => names.Any(n => message.Contains(n, StringComparison.Ordinal));
}
