namespace Cdd.Bench;

public static class Markdown
{
    public static void Table(TextWriter w, string[] headers, IEnumerable<string[]> rows)
    {
        w.WriteLine("| " + string.Join(" | ", headers) + " |");
        w.WriteLine("|" + string.Join("|", headers.Select((_, i) => i == 0 ? " --- " : " ---: ")) + "|");
        foreach (var r in rows) w.WriteLine("| " + string.Join(" | ", r) + " |");
        w.WriteLine();
    }

    public static string Ms(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString("0.00");

    public static string Size(long bytes) => bytes < 0 ? "n/a" : $"{bytes / 1024.0 / 1024.0:0.00} MB";

    public static string KiB(long kib) => kib < 0 ? "n/a" : $"{kib / 1024.0:0.0} MB";
}
