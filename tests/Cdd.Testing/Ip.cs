using System.Text.Json;

namespace Cdd.Testing;

/// <summary>iproute2 as an independent oracle for tests.</summary>
public static class Ip
{
    public static string Run(params string[] args) => Exec.Run("ip", args).EnsureSuccess("ip " + string.Join(' ', args)).Stdout;

    public static bool TryRun(params string[] args) => Exec.Run("ip", args).ExitCode == 0;

    /// <summary>`ip -j ...` parsed; an empty output is an empty array.</summary>
    public static JsonElement Json(params string[] args)
    {
        var text = Run(["-j", .. args]).Trim();
        return JsonDocument.Parse(text.Length == 0 ? "[]" : text).RootElement.Clone();
    }

    /// <summary>The link by name in a namespace (null = current), or null when absent.</summary>
    public static JsonElement? Link(string? netns, string name)
    {
        string[] ns = netns is null ? [] : ["-n", netns];
        var r = Exec.Run("ip", [.. ns, "-j", "-d", "link", "show", "dev", name]);
        if (r.ExitCode != 0) return null;
        return JsonDocument.Parse(r.Stdout).RootElement[0].Clone();
    }

    /// <summary>"addr/prefix" strings of a link's global addresses.</summary>
    public static List<string> Addresses(string? netns, string name)
    {
        string[] ns = netns is null ? [] : ["-n", netns];
        var list = new List<string>();
        foreach (var l in Json([.. ns, "addr", "show", "dev", name]).EnumerateArray())
            foreach (var a in l.GetProperty("addr_info").EnumerateArray())
                if (a.GetProperty("scope").GetString() == "global")
                    list.Add($"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}");
        return list;
    }
}
