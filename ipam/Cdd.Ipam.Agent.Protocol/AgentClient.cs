using System.Net.Sockets;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol.Wire;

namespace Cdd.Ipam.Agent.Protocol;

/// <summary>
/// One call to cdd-ipamd over its Unix socket. An agent that is not there, refuses, or does not answer in time is
/// CNI code 11 (try again later). The timeout travels in the request, so the agent stops before it and gives back
/// what it claimed for a request whose answer would come too late; closing the socket on timeout cancels it at once.
/// </summary>
public static class AgentClient
{
    public static AgentResponse Call(string socketPath, AgentRequest request, TimeSpan timeout)
    {
        request.TimeoutMs ??= (long)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        // One line: the connection stays open while the agent works, so closing it (our timeout, our death) tells the agent.
        byte[] body = [.. JsonSerializer.SerializeToUtf8Bytes(request, AgentJsonContext.Default.AgentRequest), (byte)'\n'];
        byte[] answer;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            int ms = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
            socket.SendTimeout = ms;
            socket.ReceiveTimeout = ms;
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(body);
            answer = ReadToEnd(socket, socketPath);
        }
        catch (SocketException ex)
        {
            string why = ex.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.ConnectionRefused => "is not running (nothing listens on the socket)",
                SocketError.TimedOut or SocketError.WouldBlock => $"did not answer within {timeout.TotalSeconds:0.#} s",
                _ => $"could not be reached: {ex.Message}",
            };
            // ENOENT surfaces as AddressNotAvailable on Unix sockets.
            if (!File.Exists(socketPath)) why = "is not running (no socket)";
            throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd at {socketPath} {why}", ex.SocketErrorCode.ToString());
        }

        AgentResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(answer, AgentJsonContext.Default.AgentResponse);
        }
        catch (JsonException ex)
        {
            throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd at {socketPath} answered something that is not its protocol", ex.Message);
        }
        if (response is null)
            throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd at {socketPath} closed the connection without an answer");
        if (!response.Ok)
            throw new CniException(response.Code is > 0 ? response.Code : CniErrorCodes.Internal, response.Msg ?? "cdd-ipamd refused the request", response.Details);
        return response;
    }

    static byte[] ReadToEnd(Socket socket, string socketPath)
    {
        var buffer = new byte[16 * 1024];
        int used = 0;
        while (true)
        {
            if (used == buffer.Length)
            {
                if (buffer.Length >= AgentProtocol.MaxMessageBytes)
                    throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd at {socketPath} answered more than {AgentProtocol.MaxMessageBytes} bytes");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            int n = socket.Receive(buffer, used, buffer.Length - used, SocketFlags.None);
            if (n == 0) return buffer.AsSpan(0, used).ToArray();
            used += n;
        }
    }
}
