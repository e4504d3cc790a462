using System.Globalization;
using System.Text.RegularExpressions;

namespace Cdd.Operator.Placement;

/// <summary>Kubernetes resource quantities as people write them: "4", "500m", "2.5" for CPU; "16Gi", "200G", "1024" for bytes.</summary>
internal static partial class Quantity
{
    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)(?<s>m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex Shape();

    /// <summary>CPU in millicores; null when the text is not a quantity or is not a whole number of millicores.</summary>
    public static long? CpuMillis(string text) => Parse(text, 1000);

    /// <summary>Bytes; null when the text is not a quantity, has a fraction of a byte, or uses "m".</summary>
    public static long? Bytes(string text) => Parse(text, 1) is { } b && !text.EndsWith('m') ? b : null;

    private static long? Parse(string text, decimal unit)
    {
        var m = Shape().Match(text.Trim());
        if (!m.Success || !decimal.TryParse(m.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return null;
        decimal factor = m.Groups["s"].Value switch
        {
            "" => 1m, "m" => 0.001m,
            "k" => 1e3m, "M" => 1e6m, "G" => 1e9m, "T" => 1e12m, "P" => 1e15m, "E" => 1e18m,
            "Ki" => 1L << 10, "Mi" => 1L << 20, "Gi" => 1L << 30, "Ti" => 1L << 40, "Pi" => 1L << 50, "Ei" => 1L << 60,
            _ => 0m,
        };
        try
        {
            decimal value = n * factor * unit;
            return value == decimal.Truncate(value) && value <= long.MaxValue ? (long)value : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
