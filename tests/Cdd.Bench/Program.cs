using System.Runtime.InteropServices;
using Cdd.Bench;
using Cdd.Native.Namespaces;
using Cdd.Testing;

// cdd-cni beside Debian's reference plugins, exec'd as a runtime execs them. Markdown on stdout,
// progress on stderr. Everything runs inside namespaces of the bench's own, removed at the end,
// also after an error, Ctrl-C or SIGTERM. The operator table (--operator-only) needs neither root nor namespaces;
// the MGR table (--mgr-only) needs root and the sid MySQL root (./build.sh mgr-root).

if (args is ["--mgr-demo"])
{
    // The demo's MGR section (./build.sh demo): not a benchmark, but it runs on the same harness.
    if (Tmds.Linux.LibC.geteuid() != 0)
    {
        Console.Error.WriteLine("the MGR demo needs root: it creates network namespaces and runs mysqld in them");
        return 1;
    }
    try
    {
        return MgrDemo.Run(Console.Out, Console.Error.WriteLine);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"MGR demo: {e.Message}");
        return 1;
    }
}

if (args is ["--ipam-scale-only"])
{
    // The cdd-ipamd scale table alone: no namespaces, no root.
    Console.Out.Write(IpamScaleBench.Report(CancellationToken.None));
    return 0;
}

BenchOptions opts;
CsiBench.Flags csi;
OperatorBench.Flags op;
MgrBench.Flags mgr;
// --csi-san-only: only the SAN table (stage/unstage of an iSCSI multipath volume), without the LVM one before it.
bool sanOnly = args.Contains("--csi-san-only");
args = args.Where(a => a != "--csi-san-only").ToArray();
try
{
    (csi, args) = CsiBench.TakeFlags(sanOnly ? [.. args, "--csi-only"] : args);
    (op, args) = OperatorBench.TakeFlags(args);
    (mgr, args) = MgrBench.TakeFlags(args);
    if (new[] { op.Only, csi.Only, mgr.Only }.Count(o => o) > 1) throw new ArgumentException("--operator-only, --csi-only and --mgr-only exclude each other");
    opts = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (!op.Only && Tmds.Linux.LibC.geteuid() != 0)
{
    Console.Error.WriteLine("Cdd.Bench needs root: it creates network namespaces and links (run ./build.sh bench as root).");
    return 1;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var onHup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });

BenchLab? lab = null;
try
{
    if (op.Only)
    {
        OperatorBench.Run(Console.Out, Console.Error.WriteLine, stop.Token);
        return 0;
    }
    if (csi.Only)
    {
        if (sanOnly) CsiSanBench.Run(csi, Console.Out, Console.Error.WriteLine, stop.Token);
        else CsiBench.Run(csi, Console.Out, Console.Error.WriteLine, stop.Token);
        return 0;
    }
    if (mgr.Only)
    {
        MgrBench.Run(Console.Out, Console.Error.WriteLine, stop.Token);
        return 0;
    }

    string cdd = RepoRoot.CddCni;
    const string refMacvlan = "/usr/lib/cni/macvlan", hostLocal = "/usr/lib/cni/host-local", refBridge = "/usr/lib/cni/bridge", trueBin = "/bin/true";
    foreach (var b in new[] { refMacvlan, hostLocal, refBridge })
        if (!File.Exists(b)) throw new InvalidOperationException($"{b} is missing: apt-get install containernetworking-plugins");

    Console.Error.WriteLine($"creating {opts.Pods} pod namespaces...");
    lab = BenchLab.Create(opts.Pods);
    var common = new Dictionary<string, string>
    {
        ["CNI_PATH"] = $"{RepoRoot.Out}:/usr/lib/cni",
        ["CDD_STATE_DIR"] = Path.Combine(lab.Dir, "state"),
    };
    string Ipam(string name) => Directory.CreateDirectory(Path.Combine(lab.Dir, name)).FullName;
    var cddMv = new Plugin("cdd-cni macvlan + host-local", "cddmv", cdd, "eth0", NetConfs.CddMacvlan(Ipam("ipam-cdd-mv")), common);
    var refMv = new Plugin("reference macvlan + host-local", "refmv", refMacvlan, "eth0", NetConfs.RefMacvlan(Ipam("ipam-ref-mv")), common);
    var cddOvl = new Plugin("cdd-cni overlay + host-local", "cddovl", cdd, "eth0", NetConfs.CddOverlay(Ipam("ipam-cdd-ovl")), common);
    var refBr = new Plugin("reference bridge + host-local (no VXLAN)", "refbr", refBridge, "eth0", NetConfs.RefBridge(Ipam("ipam-ref-br")), common);
    var hlOnly = new Plugin("host-local alone", "hl", hostLocal, "eth0", NetConfs.HostLocalOnly(Ipam("ipam-hl")), common);

    using var node = NetNs.Open(lab.NodePath);
    var w = new StringWriter();
    // setns() moves one thread: the whole run stays on the namespace's thread, and every child it forks starts in the node.
    node.Run(() => Report(w, lab));
    Console.Out.Write(w.ToString());
    Console.Out.Write(IpamBench.Report(stop.Token)); // on the host's loopback, outside the bench namespaces
    Console.Out.Write(IpamScaleBench.Report(stop.Token));
    lab.Dispose();
    lab = null;
    if (op.Enabled) OperatorBench.Run(Console.Out, Console.Error.WriteLine, stop.Token);
    if (csi.Enabled) CsiBench.Run(csi, Console.Out, Console.Error.WriteLine, stop.Token);
    if (mgr.Enabled) MgrBench.Run(Console.Out, Console.Error.WriteLine, stop.Token);
    return 0;

    void Report(TextWriter w, BenchLab lab)
    {
        void Progress(string s) => Console.Error.WriteLine(s);
        w.WriteLine($"## cdd-cni benchmark ({opts.Pods} pods, {opts.Runs} start-up runs per binary)");
        w.WriteLine();
        w.WriteLine($"{Environment.ProcessorCount} CPUs, kernel {Environment.OSVersion.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; " +
                    $"cdd-cni built {File.GetLastWriteTimeUtc(cdd):yyyy-MM-dd HH:mm} UTC. Each pod is its own namespace; " +
                    "each call is a fresh exec with env and stdin, timed from exec to exit. The plugins of one table section run in the same pass " +
                    "(each on its own set of pod namespaces), rotating which goes first pod by pod.");
        w.WriteLine();

        Progress("start-up...");
        var startup = StartupRun.Measure([("cdd-cni", cdd), ("reference macvlan", refMacvlan), ("host-local", hostLocal), ("/bin/true", trueBin)], opts.Runs, stop.Token);

        Progress("macvlan ADD/DEL...");
        // host-local alone (it ignores the namespace) shows the floor any plugin that execs it pays.
        var rows = LatencyRun.Interleaved([(cddMv, lab.PodsA), (refMv, lab.PodsB), (hlOnly, lab.PodsA)], Progress, stop.Token);
        var (lc, lr) = (rows[0], rows[1]);

        Progress("macvlan with cdd-ipamd ADD/DEL...");
        // cdd-ipam served by the node agent (Kubernetes store, in-process API server): cdd-cni asks the agent's socket itself. The
        // reference pair runs again in this pass, so the goal compares the two in the same conditions.
        Latency la, lr2;
        long agentRss;
        double agentAdd, agentDel;
        using (var agent = AgentProcess.Start(Path.Combine(lab.Dir, "ipamd"), "bench", "10.82.0.0/16", "10.82.0.1"))
        {
            var cddAgent = new Plugin("cdd-cni macvlan + cdd-ipam (cdd-ipamd running)", "cddag", cdd, "eth0", NetConfs.CddMacvlanAgent(agent.Socket), common);
            var pass = LatencyRun.Interleaved([(cddAgent, lab.PodsA), (refMv, lab.PodsB)], Progress, stop.Token);
            (la, lr2) = (pass[0], pass[1]);
            agentRss = agent.PeakRssKiB();
            (agentAdd, agentDel) = (agent.AgentMeanMs("ADD"), agent.AgentMeanMs("DEL"));
        }
        rows.Add(la);
        rows.Add(lr2 with { Plugin = lr2.Plugin with { Label = lr2.Plugin.Label + " (same pass as cdd-ipamd)" } });

        Progress("sriov ADD/DEL...");
        // SR-IOV on a fake sysfs whose VFs are veth ends: the sysfs walk, claim, move and rename are real, the PF's
        // VF settings are not exercised (none are asked for; they need a real PF, see the VM tier).
        var sriovEnv = new Dictionary<string, string>(common) { ["CDD_SYSFS_ROOT"] = lab.FakeSriov(lab.PodsA.Count + 3) };
        var cddSriov = new Plugin("cdd-cni sriov (fake sysfs, veth VFs) + host-local", "cddsr", cdd, "eth0", NetConfs.CddSriov(Ipam("ipam-cdd-sr")), sriovEnv);
        var sriovPass = LatencyRun.Interleaved([(cddSriov, lab.PodsA), (refMv, lab.PodsB)], Progress, stop.Token);
        rows.Add(sriovPass[0]);
        rows.Add(sriovPass[1] with { Plugin = sriovPass[1].Plugin with { Label = sriovPass[1].Plugin.Label + " (same pass as sriov)" } });

        Progress("overlay ADD/DEL...");
        string? overlayNote = null;
        try
        {
            rows.AddRange(LatencyRun.Interleaved([(cddOvl, lab.PodsA), (refBr, lab.PodsB)], Progress, stop.Token));
        }
        catch (PluginFailedException e) when (e.Plugin == cddOvl || e.Plugin == refBr)
        {
            overlayNote = $"overlay rows skipped: {e.Message}";
        }

        w.WriteLine($"### ADD / DEL latency over {opts.Pods} pods (ms)");
        w.WriteLine();
        Markdown.Table(w, ["plugin", "ADD p50", "ADD p99", "DEL p50", "DEL p99"],
            rows.Select(l => new[] { l.Plugin.Label, Markdown.Ms(l.Add.P50), Markdown.Ms(l.Add.P99), Markdown.Ms(l.Del.P50), Markdown.Ms(l.Del.P99) }));
        if (overlayNote is not null)
        {
            w.WriteLine($"Note: {overlayNote}");
            w.WriteLine();
        }

        w.WriteLine($"### Bare start-up, exec to exit of VERSION ({opts.Runs} runs each, ms)");
        w.WriteLine();
        Markdown.Table(w, ["binary", "p50", "p99"],
            startup.Select(kv => new[] { kv.Key, Markdown.Ms(kv.Value.P50), Markdown.Ms(kv.Value.P99) }));

        Progress("peak RSS...");
        string pod0 = BenchLab.NetnsPath(lab.PodsA[0]);
        long Rss(Plugin p)
        {
            var (call, kib) = PluginCall.RunMeasuringRss(p.Binary, p.Env("ADD", 1_000_000, pod0), p.Config);
            p.Call("DEL", 1_000_000, pod0);
            return call.ExitCode == 0 ? kib : -1;
        }
        long trueRss = PluginCall.RunMeasuringRss(trueBin, new Dictionary<string, string>(), "").MaxRssKiB;
        long Size(string f) => new FileInfo(f).Length;
        w.WriteLine("### Size and memory");
        w.WriteLine();
        Markdown.Table(w, ["binary", "file size", "peak RSS of one ADD"],
        [
            ["cdd-cni (macvlan; execs host-local)", Markdown.Size(Size(cdd)), Markdown.KiB(Rss(cddMv))],
            ["cdd-cni (overlay; execs host-local)", Markdown.Size(Size(cdd)), overlayNote is null ? Markdown.KiB(Rss(cddOvl)) : "n/a"],
            ["reference macvlan (execs host-local)", Markdown.Size(Size(refMacvlan)), Markdown.KiB(Rss(refMv))],
            ["host-local (alone)", Markdown.Size(Size(hostLocal)), Markdown.KiB(Rss(hlOnly))],
            ["/bin/true (no ADD: one exec)", Markdown.Size(Size(trueBin)), Markdown.KiB(trueRss)],
        ]);
        w.WriteLine("Peak RSS is ru_maxrss from wait4 (GNU time %M); for a plugin that execs its IPAM it is the larger of plugin and IPAM.");
        w.WriteLine();

        w.WriteLine($"cdd-ipamd (Kubernetes store against the in-process API server on loopback, one pool) peak RSS after the pass: {Markdown.KiB(agentRss)}; " +
                    $"time inside the agent per request (mean, from its own histogram): ADD {Markdown.Ms(agentAdd)} ms, DEL {Markdown.Ms(agentDel)} ms.");
        w.WriteLine();

        double ratio = lc.Add.P50 / lr.Add.P50 * 100;
        w.WriteLine($"goal: cdd-cni+host-local ADD p50 {Markdown.Ms(lc.Add.P50)} ms / reference macvlan+host-local ADD p50 {Markdown.Ms(lr.Add.P50)} ms = {ratio:0}% " +
                    $"(goal <= 60%: {(ratio <= 60 ? "met" : "not met")})");
        w.WriteLine();
        double agentRatio = la.Add.P50 / lr2.Add.P50 * 100;
        w.WriteLine($"goal: cdd-cni+cdd-ipam (agent) ADD p50 {Markdown.Ms(la.Add.P50)} ms / reference macvlan+host-local ADD p50 {Markdown.Ms(lr2.Add.P50)} ms (same pass) = {agentRatio:0}% " +
                    $"(goal <= 25%: {(agentRatio <= 25 ? "met" : "not met")}; the earlier goal <= 60%: {(agentRatio <= 60 ? "met" : "not met")})");
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("interrupted; removing the bench namespaces");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"bench failed: {e.Message}");
    return 1;
}
finally
{
    lab?.Dispose();
}
