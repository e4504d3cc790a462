using Cdd.Csi;
using Cdd.Csi.Backends;
using Cdd.Csi.Grpc;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.San;
using Cdd.Csi.San.Lio;
using Cdd.Csi.San.Node;
using Cdd.Csi.San.Pool;
using Cdd.Csi.Services;
using Cdd.Csi.Validation;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Node DaemonSet:  cdd-csi --endpoint unix:///csi/csi.sock --node-id NODE [--volume-groups vg1[,vg2]] [--kubelet-root /var/lib/kubelet]
//                  [--thin-overprovision-ratio 1.0] [--expand-on-node true] [--driver-name san.cdd.io --initiators true --state-dir DIR]
// SAN controller:  cdd-csi --controller --driver-name san.cdd.io --endpoint ... [--lio-target IQN --lio-portals IP:PORT,... --lio-volume-group VG] [--pool true]
// Each flag also comes from the environment (CSI_ENDPOINT, NODE_ID, CDD_VOLUME_GROUPS, ...; README.md).
var flags = ArgsParser.Parse(args);
string? Find(string flag, string env) => flags.TryGetValue(flag, out var v) ? v : Environment.GetEnvironmentVariable(env);
string Get(string flag, string env, string? fallback = null) =>
    Find(flag, env) ?? fallback ?? throw new ArgumentException($"--{flag} (or {env}) is required");
string[] List(string flag, string env) =>
    (Find(flag, env) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

var endpoint = Cdd.Csi.Endpoint.Parse(Get("endpoint", "CSI_ENDPOINT"));
var options = new DriverOptions
{
    Name = Get("driver-name", "CDD_DRIVER_NAME", DriverOptions.DriverName),
    NodeId = Get("node-id", "NODE_ID", Environment.MachineName),
    VolumeGroups = List("volume-groups", "CDD_VOLUME_GROUPS"),
    Controller = bool.Parse(Get("controller", "CDD_CONTROLLER", "false")),
    ReportInitiators = bool.Parse(Get("initiators", "CDD_INITIATORS", "false")),
    StateDir = Get("state-dir", "CDD_STATE_DIR", "/var/lib/cdd-csi"),
    KubeletRoot = Get("kubelet-root", "CDD_KUBELET_ROOT", "/var/lib/kubelet"),
    ThinOverProvisionRatio = double.Parse(Get("thin-overprovision-ratio", "CDD_THIN_OVERPROVISION_RATIO", "1.0"), System.Globalization.CultureInfo.InvariantCulture),
    ExpandOnNode = bool.Parse(Get("expand-on-node", "CDD_EXPAND_ON_NODE", "false")),
};
var lio = LioOptions.From(Find("lio-target", "CDD_LIO_TARGET"), List("lio-portals", "CDD_LIO_PORTALS"), Find("lio-volume-group", "CDD_LIO_VOLUME_GROUP"),
    Find("lio-thin-pool", "CDD_LIO_THIN_POOL"), Get("configfs-root", "CDD_CONFIGFS_ROOT", "/sys/kernel/config"));
bool pool = bool.Parse(Get("pool", "CDD_POOL", "false"));
if (options.Controller && lio is null && !pool)
    throw new ArgumentException("--controller serves the SAN arrays: --lio-target, --lio-portals and --lio-volume-group, or --pool true (SanLun objects), or both");
if (!options.Controller && options.VolumeGroups.Count == 0 && !options.ReportInitiators)
    throw new ArgumentException("--volume-groups (or CDD_VOLUME_GROUPS) is required on an LVM node; a SAN node says --initiators true");

// No config reload: its file watcher walks the content root with inotify, and the default content root is the
// working directory (a node's / or a big home folder: seconds to minutes before the first request is served).
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = ["--hostBuilder:reloadConfigOnChange=false"],
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff "; });
var lvm = CrashHook.Wrap(new LvmCli(), Environment.GetEnvironmentVariable(CrashHook.Variable));
var locks = new Locks();
var devices = new SysfsDevices(options.SysRoot);
var controllers = new List<IBackend>();
var nodes = new List<INodeBackend>();
if (options.Controller)
{
    var arrays = new List<IArray>();
    if (lio is not null) arrays.Add(new LioArray(lio, lvm, new Configfs(lio.ConfigfsRoot)));
    // Pool LUNs are wiped from this host before they are freed: attached with the node side's checks, then detached.
    if (pool)
        arrays.Add(new PoolArray(KubeRest.InCluster(), new NodeLunWiper(new SanNode(new IscsiAdm(), new Multipath(), new ScsiSysfs(options.SysRoot),
            new StageStore(Path.Combine(options.StateDir, "wipe"))))));
    controllers.Add(new SanBackend(options, arrays, locks));
}
else
{
    if (options.VolumeGroups.Count > 0)
    {
        controllers.Add(new LvmBackend(options, lvm, locks));
        nodes.Add(new LvmNode(options, lvm, locks, devices));
    }
    if (options.ReportInitiators)
        nodes.Add(new SanNode(new IscsiAdm(), new Multipath(), new ScsiSysfs(options.SysRoot), new StageStore(Path.Combine(options.StateDir, "san"))));
}
var initiators = options.ReportInitiators ? Initiators.Read(options.EtcRoot, options.SysRoot) : new Initiators(null, []);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(locks);
builder.Services.AddSingleton(new Backends(controllers, nodes));
builder.Services.AddSingleton<IMounter, HostMounter>();
builder.Services.AddSingleton<IFilesystems, Filesystems>();
builder.Services.AddSingleton<IDevices>(devices);
builder.Services.AddSingleton(new NodeIdentity(options.NodeId, initiators.Iqn, initiators.Wwpns));
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
if (!options.Controller) app.MapGrpcService<NodeService>();
await app.StartAsync();
if (endpoint.SocketPath is { } socket)
    File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
app.Logger.LogInformation("csi.listening {Endpoint} driver={Driver} node={Node} controller={Controller} vgs={Vgs}", endpoint.SocketPath ?? endpoint.Tcp!.ToString(),
    options.Name, options.NodeId, options.Controller, string.Join(",", options.VolumeGroups));
await app.WaitForShutdownAsync();
