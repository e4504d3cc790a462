using System.Net.Sockets;
using Grpc.Net.Client;

namespace Cdd.Csi.Tests;

/// <summary>gRPC channels to a running cdd-csi: over its Unix socket, or over a loopback TCP port (the VM's forward).</summary>
public static class CsiChannel
{
    public static GrpcChannel Unix(string socketPath) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                },
            },
        });

    public static GrpcChannel Tcp(int port) => GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
}
