using System.Net.Sockets;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol.Wire;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// The plugin-facing Unix socket: one request per connection (read to EOF, answer, close). A stale socket file from a
/// dead agent is replaced; a live agent on the same path is not (start-up fails instead). The file is mode 0660.
/// </summary>
internal sealed class SocketServer : IAsyncDisposable
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    readonly Socket _listener;
    readonly Func<AgentRequest?, CancellationToken, Task<AgentResponse>> _handle;
    readonly ILogger _log;
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    int _inFlight;

    SocketServer(Socket listener, string path, Func<AgentRequest?, CancellationToken, Task<AgentResponse>> handle, ILogger log)
    {
        _listener = listener;
        Path = path;
        _handle = handle;
        _log = log;
        _accepting = Task.Run(AcceptLoop);
    }

    public string Path { get; }

    public static SocketServer Start(string path, Func<AgentRequest?, CancellationToken, Task<AgentResponse>> handle, ILogger log)
    {
        string? dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (File.Exists(path) || Directory.Exists(path))
        {
            if (IsServed(path)) throw new IOException($"another cdd-ipamd already serves {path}");
            File.Delete(path);
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new SocketServer(listener, path, handle, log);
    }

    /// <summary>Whether a process accepts connections on the Unix socket at <paramref name="path"/> (a stale file does not).</summary>
    public static bool IsServed(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _log.Warning("ipamd.accept.failed {Error}", ex.SocketErrorCode);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(Socket client)
    {
        Interlocked.Increment(ref _inFlight);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using (client)
            {
                AgentResponse response;
                byte[]? body = await ReadAsync(client, timeout.Token);
                if (body is null)
                    response = new AgentResponse { Ok = false, Code = CniErrorCodes.DecodingFailure, Msg = $"request larger than {AgentProtocol.MaxMessageBytes} bytes" };
                else
                {
                    AgentRequest? request = null;
                    string? decodeError = null;
                    try
                    {
                        request = JsonSerializer.Deserialize(body, AgentJsonContext.Default.AgentRequest);
                    }
                    catch (JsonException ex)
                    {
                        decodeError = ex.Message;
                    }
                    response = decodeError is not null
                        ? new AgentResponse { Ok = false, Code = CniErrorCodes.DecodingFailure, Msg = "cannot decode the request", Details = decodeError }
                        : await _handle(request, timeout.Token);
                }
                await client.SendAsync(JsonSerializer.SerializeToUtf8Bytes(response, AgentJsonContext.Default.AgentResponse), timeout.Token);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The plugin gave up (its own timeout) or the agent is stopping; the plugin's retry finds the claim by attachment.
            _log.Debug("ipamd.connection.dropped {Error}", ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    static async Task<byte[]?> ReadAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[4096];
        int used = 0;
        while (true)
        {
            if (used == buffer.Length)
            {
                if (buffer.Length >= AgentProtocol.MaxMessageBytes) return null;
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            int n = await client.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, ct);
            if (n == 0) return buffer.AsSpan(0, used).ToArray();
            used += n;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        // Let answers already being written finish, briefly.
        for (int i = 0; i < 50 && Volatile.Read(ref _inFlight) > 0; i++) await Task.Delay(20);
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }
}
