using Cdd.Csi;
using Cdd.Csi.Grpc;
using Cdd.Csi.Lvm;
using Cdd.Csi.Services;
using Cdd.Csi.Validation;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// cdd-csi --endpoint unix:///csi/csi.sock --node-id NODE --volume-groups vg1[,vg2] [--kubelet-root /var/lib/kubelet]
//         [--thin-overprovision-ratio 1.0] [--expand-on-node true]; each also from the environment (CSI_ENDPOINT, NODE_ID, CDD_VOLUME_GROUPS, ...).
var flags = ArgsParser.Parse(args);
string Get(string flag, string env, string? fallback = null) =>
    flags.TryGetValue(flag, out var v) ? v : Environment.GetEnvironmentVariable(env) ?? fallback
        ?? throw new ArgumentException($"--{flag} (or {env}) is required");

var endpoint = Cdd.Csi.Endpoint.Parse(Get("endpoint", "CSI_ENDPOINT"));
var options = new DriverOptions
{
    NodeId = Get("node-id", "NODE_ID", Environment.MachineName),
    VolumeGroups = Get("volume-groups", "CDD_VOLUME_GROUPS").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    KubeletRoot = Get("kubelet-root", "CDD_KUBELET_ROOT", "/var/lib/kubelet"),
    ThinOverProvisionRatio = double.Parse(Get("thin-overprovision-ratio", "CDD_THIN_OVERPROVISION_RATIO", "1.0"), System.Globalization.CultureInfo.InvariantCulture),
    ExpandOnNode = bool.Parse(Get("expand-on-node", "CDD_EXPAND_ON_NODE", "false")),
};

// No config reload: its file watcher walks the content root with inotify, and the default content root is the
// working directory (a node's / or a big home folder: seconds to minutes before the first request is served).
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = ["--hostBuilder:reloadConfigOnChange=false"],
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff "; });
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(CrashHook.Wrap(new LvmCli(), Environment.GetEnvironmentVariable(CrashHook.Variable)));
builder.Services.AddSingleton<Locks>();
builder.Services.AddSingleton<RequestValidator>();
builder.Services.AddGrpc(o => o.Interceptors.Add<CallInterceptor>());
builder.WebHost.ConfigureKestrel(k =>
{
    if (endpoint.SocketPath is { } path)
    {
        // A socket left by a previous run would make bind fail with EADDRINUSE.
        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0) File.Delete(path);
        k.ListenUnixSocket(path, l => l.Protocols = HttpProtocols.Http2);
    }
    else k.Listen(endpoint.Tcp!, l => l.Protocols = HttpProtocols.Http2);
});

var app = builder.Build();
app.MapGrpcService<IdentityService>();
app.MapGrpcService<ControllerService>();
app.MapGrpcService<NodeService>();
await app.StartAsync();
if (endpoint.SocketPath is { } socket)
    File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
app.Logger.LogInformation("csi.listening {Endpoint} node={Node} vgs={Vgs}", endpoint.SocketPath ?? endpoint.Tcp!.ToString(), options.NodeId, string.Join(",", options.VolumeGroups));
await app.WaitForShutdownAsync();
