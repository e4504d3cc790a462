using System.Net;

namespace Cdd.Csi;

/// <summary>--endpoint / CSI_ENDPOINT as the sidecars write it: unix:///path/csi.sock or tcp://host:port.</summary>
internal sealed record Endpoint(string? SocketPath, IPEndPoint? Tcp)
{
    public static Endpoint Parse(string value)
    {
        if (value.StartsWith("unix://", StringComparison.Ordinal))
        {
            string path = value["unix://".Length..];
            if (!path.StartsWith('/')) throw new ArgumentException($"endpoint {value}: the socket path must be absolute (unix:///path)");
            return new Endpoint(path, null);
        }
        if (value.StartsWith("tcp://", StringComparison.Ordinal) && IPEndPoint.TryParse(value["tcp://".Length..], out var ep) && ep.Port > 0)
            return new Endpoint(null, ep);
        throw new ArgumentException($"endpoint {value}: expected unix:///path or tcp://address:port");
    }
}
