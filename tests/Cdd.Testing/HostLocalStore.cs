using System.Net;

namespace Cdd.Testing;

/// <summary>
/// Reads the reference host-local IPAM's disk store as an independent oracle: one file per
/// allocated address under dataDir/NETWORK/, holding the container ID on its first line.
/// </summary>
public static class HostLocalStore
{
    /// <summary>Allocated address → container ID.</summary>
    public static Dictionary<IPAddress, string> Allocations(string dataDir, string network)
    {
        var result = new Dictionary<IPAddress, string>();
        string dir = Path.Combine(dataDir, network);
        if (!Directory.Exists(dir)) return result;
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            // host-local also keeps "lock" and "last_reserved_ip.N" here
            if (!IPAddress.TryParse(Path.GetFileName(file), out var ip)) continue;
            string id = File.ReadAllText(file).Split('\n')[0].TrimEnd('\r');
            result[ip] = id;
        }
        return result;
    }

    /// <summary>The one address held by a container, or an error listing what the store holds.</summary>
    public static IPAddress AddressOf(string dataDir, string network, string containerId)
    {
        var all = Allocations(dataDir, network);
        var mine = all.Where(kv => kv.Value == containerId).Select(kv => kv.Key).ToList();
        if (mine.Count != 1)
            throw new InvalidOperationException(
                $"host-local holds {mine.Count} addresses for {containerId} in {dataDir}/{network}; store: " +
                string.Join(", ", all.Select(kv => $"{kv.Key}={kv.Value}")));
        return mine[0];
    }
}
