using System.Net.Sockets;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol.Wire;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// The plugin-facing Unix socket: one request per connection (read to the newline or EOF, answer, close). The request's
/// work is cancelled when the client's timeout (sent in the request) is about to pass, or when the client hangs up. A stale socket file from a
/// dead agent is replaced; a live agent on the same path is not (start-up fails instead). The file is mode 0660.
/// </summary>
internal sealed class SocketServer : IAsyncDisposable
{
    /// <summary>The work's budget when the request says no timeout (an older client), and the most any request gets.</summary>
    static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30), MaxBudget = TimeSpan.FromMinutes(5);
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
        using var work = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        work.CancelAfter(DefaultBudget);
        Task? hangup = null;
        try
        {
            using (client)
            {
                AgentResponse response;
                var (body, framed) = await ReadAsync(client, work.Token);
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
                    if (request?.TimeoutMs is > 0 and long ms) work.CancelAfter(Budget(TimeSpan.FromMilliseconds(Math.Min(ms, MaxBudget.TotalMilliseconds))));
                    // A client that keeps the connection open (a newline ended its request) and then closes it has given up.
                    if (framed) hangup = WatchHangupAsync(client, work);
                    response = decodeError is not null
                        ? new AgentResponse { Ok = false, Code = CniErrorCodes.DecodingFailure, Msg = "cannot decode the request", Details = decodeError }
                        : await _handle(request, work.Token);
                }
                // The answer goes out even when the work was cut short (a code 11 the client can still read).
                using var send = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                send.CancelAfter(TimeSpan.FromSeconds(2));
                await client.SendAsync(JsonSerializer.SerializeToUtf8Bytes(response, AgentJsonContext.Default.AgentResponse), send.Token);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The plugin gave up (its own timeout) or the agent is stopping; what the request claimed was given back by the core.
            _log.Debug("ipamd.connection.dropped {Error}", ex.Message);
        }
        finally
        {
            await work.CancelAsync();
            if (hangup is not null) await hangup;
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The work's budget inside the client's timeout: room left for the answer to reach it before it gives up.</summary>
    internal static TimeSpan Budget(TimeSpan clientTimeout)
    {
        var margin = TimeSpan.FromMilliseconds(Math.Clamp(clientTimeout.TotalMilliseconds * 0.1, 50, 1000));
        var budget = clientTimeout - margin;
        return budget > TimeSpan.FromMilliseconds(1) ? budget : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>Cancels <paramref name="work"/> when the client closes its end (a read of 0 bytes, or an error).</summary>
    async Task WatchHangupAsync(Socket client, CancellationTokenSource work)
    {
        var one = new byte[1];
        try
        {
            int n = await client.ReceiveAsync(one, SocketFlags.None, work.Token);
            if (n == 0)
            {
                _log.Debug("ipamd.client.hungup");
                await work.CancelAsync();
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (ex is SocketException) await TryCancel(work);
        }
    }

    static async Task TryCancel(CancellationTokenSource cts)
    {
        try
        {
            await cts.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>The request up to its newline (true: the client waits on an open connection) or to EOF (false: an older client); null when too large.</summary>
    static async Task<(byte[]? Body, bool Framed)> ReadAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[4096];
        int used = 0;
        while (true)
        {
            if (used == buffer.Length)
            {
                if (buffer.Length >= AgentProtocol.MaxMessageBytes) return (null, false);
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            int n = await client.ReceiveAsync(buffer.AsMemory(used), SocketFlags.None, ct);
            if (n == 0) return (buffer.AsSpan(0, used).ToArray(), false);
            int newline = Array.IndexOf(buffer, (byte)'\n', used, n);
            used += n;
            if (newline >= 0) return (buffer.AsSpan(0, newline).ToArray(), true);
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
