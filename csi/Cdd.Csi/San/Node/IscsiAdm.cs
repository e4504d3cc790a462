using System.Globalization;
using System.Net;
using Cdd.Csi.Errors;

namespace Cdd.Csi.San.Node;

/// <summary>iscsiadm with argument vectors and timeouts: a login to a dead portal retries for minutes by default.</summary>
internal sealed class IscsiAdm : IIscsiAdm
{
    static readonly TimeSpan Short = TimeSpan.FromSeconds(30), Login = TimeSpan.FromSeconds(90);

    /// <summary>iscsiadm's exit code for "no active sessions" / "no records found".</summary>
    const int NoObjects = 21;

    public async Task<IReadOnlyList<IscsiSession>> SessionsAsync()
    {
        var r = await Tool.RunAsync("iscsiadm", ["-m", "session"], Short);
        if (r.ExitCode == NoObjects) return [];
        if (r.ExitCode != 0) throw new ToolException("iscsiadm", ["-m", "session"], r.ExitCode, r.Stderr);
        return Parse(r.Stdout);
    }

    /// <summary>Lines "tcp: [3] 10.0.0.1:3260,1 iqn.2026-12.io.cdd:storage (non-flash)".</summary>
    public static IReadOnlyList<IscsiSession> Parse(string text)
    {
        var sessions = new List<IscsiSession>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || f[1].Length < 3 || f[1][0] != '[' || f[1][^1] != ']') continue;
            if (!int.TryParse(f[1][1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int id)) continue;
            string portal = f[2].Split(',')[0];
            if (!IPEndPoint.TryParse(portal, out var ep)) continue;
            sessions.Add(new IscsiSession(id, ep, f[3]));
        }
        return sessions;
    }

    public Task DiscoverAsync(IPEndPoint portal) =>
        Tool.RunCheckedAsync("iscsiadm", ["-m", "discovery", "-t", "sendtargets", "-p", portal.ToString()], Short);

    public Task UpdateAsync(string target, IPEndPoint portal, string key, string value, bool secret = false) =>
        Tool.RunCheckedAsync("iscsiadm", ["-m", "node", "-T", target, "-p", portal.ToString(), "-o", "update", "-n", key, "-v", value], Short,
            secret ? [value] : null);

    public Task LoginAsync(string target, IPEndPoint portal) =>
        Tool.RunCheckedAsync("iscsiadm", ["-m", "node", "-T", target, "-p", portal.ToString(), "--login"], Login);

    public async Task LogoutAsync(string target, IPEndPoint portal)
    {
        string[] args = ["-m", "node", "-T", target, "-p", portal.ToString(), "--logout"];
        var r = await Tool.RunAsync("iscsiadm", args, Short);
        if (r.ExitCode is not (0 or NoObjects)) throw new ToolException("iscsiadm", args, r.ExitCode, r.Stderr);
    }

    public async Task DeleteNodeAsync(string target, IPEndPoint portal)
    {
        string[] args = ["-m", "node", "-T", target, "-p", portal.ToString(), "-o", "delete"];
        var r = await Tool.RunAsync("iscsiadm", args, Short);
        if (r.ExitCode is not (0 or NoObjects)) throw new ToolException("iscsiadm", args, r.ExitCode, r.Stderr);
    }
}
