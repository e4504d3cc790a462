using Cdd.Cni.Contracts;
using Cdd.Cni.Plumbing;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Namespaces;
using Cdd.Native.Rtnl;
using Cdd.Native.Sysfs;
using Cdd.Net;

namespace Cdd.Cni.Sriov;

/// <summary>
/// An SR-IOV VF for the pod: chosen by deviceID or taken free from the configured PFs, its settings (MAC, VLAN of the
/// address's segment, QoS, spoof check, trust, link state, rates) set through the PF, its netdev moved into the pod
/// namespace through a temporary name and renamed there. DEL moves it back under its original name and restores
/// what ADD changed. CDD_SYSFS_ROOT points at another sysfs root (a host /sys mounted elsewhere; tests).
/// </summary>
internal sealed class SriovPlugin : IMode
{
    SriovSettings _s = null!;

    public void Validate(CniContext ctx) => _s = SriovSettings.Parse(ctx.Config, ctx.RawConfig, ctx.Env.Command);

    static SriovSysfs Sysfs(CniContext ctx)
    {
        string root = ctx.Env.Get("CDD_SYSFS_ROOT") is { Length: > 0 } r ? r : "/";
        if (!Path.IsPathFullyQualified(root)) throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CDD_SYSFS_ROOT \"{root}\" must be an absolute path");
        return new SriovSysfs(root);
    }

    public CniResult Add(CniContext ctx)
    {
        var sysfs = Sysfs(ctx);
        var store = new SriovStateStore(ctx.StateDir);
        string ifName = ctx.Env.IfName;
        using var attachment = AttachmentLock.Take(ctx); // a DEL of this attachment waits for us (and our IPAM child)
        using var pod = Pod.OpenForAdd(ctx);
        using var hostNs = NetNs.Current();
        using var host = Kernel.Do(Rtnetlink.Open);
        using var undo = new Rollback();

        var (vf, netdev) = Choose(ctx, sysfs, store, host);
        undo.Add($"claim of VF {vf.Pci}", () => store.ReleaseClaim(vf.Pci, ctx.Env.ContainerId, ifName));

        var state = new SriovState
        {
            Pci = vf.Pci, PfPci = vf.PfPci, PfName = sysfs.Netdevs(vf.PfPci) is [var pfNetdev, ..] ? pfNetdev : null, VfIndex = vf.Index,
            HostName = netdev.Name, HostMac = netdev.Mac?.ToString(), HostMtu = netdev.Mtu,
            ContainerId = ctx.Env.ContainerId, IfName = ifName, Network = ctx.Config.Name, Netns = ctx.Env.Netns,
        };
        store.Write(state);
        undo.Add("sriov state", () => store.Remove(state));

        var ipamCall = IpamInFlight.Start(ctx);
        undo.Add("ipam allocation", ipamCall.Release);
        var ipam = ipamCall.Wait();

        // VF settings through the PF; a MAC alone may also go on the netdev when the PF reports no VFs (no driver support).
        var change = _s.ChangeFor(ipam.Vlan);
        bool macOnNetdev = change.Mac is not null;
        if (!change.IsEmpty)
        {
            string pfName = state.PfName ?? throw new CniException(CniErrorCodes.KernelRefused, $"PF {vf.PfPci} of VF {vf.Pci} has no netdev to set VF settings through");
            var pf = Kernel.Do(() => host.Links.Find(pfName))
                ?? throw new CniException(CniErrorCodes.KernelRefused, $"PF {pfName} of VF {vf.Pci} is not in this namespace");
            var saved = Kernel.Do(() => host.Vfs.List(pf.Index, pfName)).FirstOrDefault(i => i.Index == vf.Index);
            if (saved is null && change with { Mac = null } is { IsEmpty: false })
                throw new CniException(CniErrorCodes.KernelRefused,
                    $"PF {pfName} does not report VF {vf.Index} over netlink: its driver cannot take VF settings (vlan, qos, spoofchk, trust, link_state, rates)");
            if (saved is not null)
            {
                state.Saved = VfJson.From(saved);
                state.Changed = VfJson.From(change);
                store.Write(state);
                var restore = VfChange.Restoring(saved, change);
                undo.Add($"VF {vf.Index} settings on {pfName}", () => host.Vfs.Apply(pf.Index, vf.Index, restore, pfName));
                Kernel.Do(() => host.Vfs.Apply(pf.Index, vf.Index, change, pfName));
            }
        }

        // Into the pod: down, a temporary name no pod or host interface has, moved, renamed to CNI_IFNAME there.
        string tmp = PodNamespace.TemporaryName(ctx);
        Kernel.Do(() => host.Links.SetUp(netdev.Index, false, netdev.Name));
        Kernel.Do(() => host.Links.Rename(netdev.Index, tmp, netdev.Name));
        undo.Add($"rename of {netdev.Name}", () => ReturnToHost(sysfs, pod, host, hostNs, state, tmp));
        Kernel.Do(() => host.Links.MoveTo(netdev.Index, pod.Ns, tmp));
        var link = Kernel.Do(() => pod.Rtnl.Links.Get(tmp));
        Kernel.Do(() => pod.Rtnl.Links.Rename(link.Index, ifName, tmp));
        if (_s.Mtu is { } mtu) Kernel.Do(() => pod.Rtnl.Links.SetMtu(link.Index, mtu, ifName));
        if (macOnNetdev) Kernel.Do(() => pod.Rtnl.Links.SetMac(link.Index, _s.Mac!.Value, ifName));

        link = Kernel.Do(() => pod.Rtnl.Links.Get(ifName));
        InterfaceSetup.Configure(pod, link, ipam);
        WaitForCarrier(pod, ifName);
        link = Kernel.Do(() => pod.Rtnl.Links.Get(ifName));

        var result = InterfaceSetup.BuildResult(ctx, ipam,
            new CniInterface { Name = ifName, Mac = link.Mac?.ToString(), Mtu = link.Mtu, Sandbox = ctx.Env.Netns, PciId = vf.Pci });
        PodNamespace.EnsureStillThere(ctx, pod.Ns);
        undo.Commit();
        return result;
    }

    /// <summary>The VF by deviceID, or the first free VF of the configured PFs, claimed for this attachment.</summary>
    (VfDevice Vf, Link Netdev) Choose(CniContext ctx, SriovSysfs sysfs, SriovStateStore store, Rtnetlink host)
    {
        string cid = ctx.Env.ContainerId, ifName = ctx.Env.IfName;
        if (_s.DeviceId is { } pci)
        {
            var vf = Usable(sysfs, pci, out string? why);
            if (vf is null) throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"deviceID {pci}: {why}");
            var netdev = HostNetdev(host, vf)
                ?? throw new CniException(CniErrorCodes.NoFreeDevice, $"deviceID {pci}: its netdev {vf.Netdevs[0]} is not in the host namespace (another pod has it?)");
            using (Lock(store, pci))
            {
                if (!store.TryClaim(pci, cid, ifName))
                    throw new CniException(CniErrorCodes.NoFreeDevice, $"deviceID {pci} is in use by {store.ClaimOf(pci)}");
            }
            return (vf, netdev);
        }

        var looked = new List<string>();
        foreach (var pf in _s.Pfs)
        {
            string pfPci = sysfs.PciOfNetdev(pf) ?? throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"pfs: {pf} has no PCI device in sysfs ({sysfs.Root})");
            if (!sysfs.IsPf(pfPci)) throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"pfs: {pf} ({pfPci}) is not an SR-IOV PF (no sriov_totalvfs, no VFs)");
            foreach (var (_, vfPci) in sysfs.Vfs(pfPci))
            {
                looked.Add(vfPci);
                if (store.ClaimOf(vfPci) is not null) continue;
                var vf = Usable(sysfs, vfPci, out _);
                if (vf is null || HostNetdev(host, vf) is not { } netdev) continue;
                FileLock held;
                try
                {
                    held = FileLock.Acquire(store.LockPath(vfPci), TimeSpan.Zero);
                }
                catch (ErrnoException e) when (e.Errno == Errno.ETIMEDOUT)
                {
                    continue; // another ADD is taking this one
                }
                using (held)
                {
                    if (store.ClaimOf(vfPci) is null && store.TryClaim(vfPci, cid, ifName)) return (vf, netdev);
                }
            }
        }
        throw new CniException(CniErrorCodes.NoFreeDevice,
            $"no free VF on {string.Join(", ", _s.Pfs)}: {looked.Count} VFs, each claimed, bound to no netdev driver (or vfio-pci), or with its netdev outside the host namespace");
    }

    static FileLock Lock(SriovStateStore store, string pci)
    {
        try
        {
            return FileLock.Acquire(store.LockPath(pci), TimeSpan.FromSeconds(10));
        }
        catch (ErrnoException e) when (e.Errno == Errno.ETIMEDOUT)
        {
            throw new CniException(CniErrorCodes.TryAgainLater, $"VF {pci} stayed locked by another ADD for 10 s");
        }
    }

    /// <summary>The VF when it can be given to a pod: a VF, bound to a netdev driver, with a netdev.</summary>
    static VfDevice? Usable(SriovSysfs sysfs, string pci, out string? why)
    {
        why = null;
        if (!sysfs.DeviceExists(pci)) { why = $"no such PCI device ({Path.Combine(sysfs.Root, "sys/bus/pci/devices", pci)} is missing)"; return null; }
        var vf = sysfs.Vf(pci);
        if (vf is null) { why = "is not a VF (no physfn link: a PF or a plain device)"; return null; }
        if (vf.Driver is null) { why = "is bound to no driver"; return null; }
        if (vf.Driver is "vfio-pci" or "uio_pci_generic" or "igb_uio") { why = $"is bound to {vf.Driver} (DPDK): cdd-cni needs a netdev driver"; return null; }
        if (vf.Netdevs.Count == 0) { why = $"has no netdev (driver {vf.Driver})"; return null; }
        if (vf.Index < 0) { why = $"is not listed among the virtfn links of its PF {vf.PfPci}"; return null; }
        return vf;
    }

    static Link? HostNetdev(Rtnetlink host, VfDevice vf) =>
        vf.Netdevs.Select(n => Kernel.Do(() => host.Links.Find(n))).FirstOrDefault(l => l is not null);

    /// <summary>Carrier can lag link-up by a few hundred ms on real VFs; addresses work without it, so this only waits a little.</summary>
    static void WaitForCarrier(Pod pod, string ifName)
    {
        for (int i = 0; i < 20; i++)
        {
            if (Kernel.Do(() => pod.Rtnl.Links.Find(ifName)) is { HasCarrier: true }) return;
            Thread.Sleep(25);
        }
        Console.Error.WriteLine($"cdd-cni: {ifName} has no carrier yet (0.5 s after link-up)");
    }

    public void Del(CniContext ctx)
    {
        PodNamespace.TryOpen(ctx)?.Dispose(); // refuses the node's own namespace before anything is given back
        using var attachment = AttachmentLock.Take(ctx); // waits for a running ADD of this attachment
        var store = new SriovStateStore(ctx.StateDir);
        var state = store.Read(ctx.Env.ContainerId, ctx.Env.IfName);
        SideBySide.Run(() => ctx.Ipam.Del(ctx), () =>
        {
            if (state is null) return;
            GiveBack(Sysfs(ctx), state, ctx.Env.Netns);
            store.Remove(state);
        });
    }

    /// <summary>Back to the host under its original name, with its original MAC, MTU and VF settings.</summary>
    static void GiveBack(SriovSysfs sysfs, SriovState state, string? netns)
    {
        using var hostNs = NetNs.Current();
        using var host = Kernel.Do(Rtnetlink.Open);
        using var pod = Pod.TryOpen(netns);
        ReturnToHost(sysfs, pod, host, hostNs, state, StableName.Of("cddt", state.ContainerId + "/" + state.IfName));

        if (state.Saved is not null && state.Changed is not null && state.PfName is { } pfName
            && Kernel.Do(() => host.Links.Find(pfName)) is { } pf)
            Kernel.Do(() => host.Vfs.Apply(pf.Index, state.VfIndex, VfChange.Restoring(state.Saved.ToInfo(state.VfIndex), state.Changed.ToChange()), pfName));
    }

    /// <summary>
    /// Finds the VF netdev wherever an ADD (maybe killed) left it: in the pod under CNI_IFNAME or the temporary name,
    /// or in the host under the temporary name or whatever name it came back with when the pod namespace died,
    /// and puts it back as it was. A namespace that is gone hands a real VF back to the host by itself.
    /// </summary>
    static void ReturnToHost(SriovSysfs sysfs, Pod? pod, Rtnetlink host, NetNs hostNs, SriovState state, string tmp)
    {
        if (pod is not null)
        {
            foreach (var name in new[] { state.IfName, tmp })
            {
                if (Kernel.Do(() => pod.Rtnl.Links.Find(name)) is not { } inPod) continue;
                Kernel.Do(() => pod.Rtnl.Links.SetUp(inPod.Index, false, name));
                if (name != tmp) Kernel.Do(() => pod.Rtnl.Links.Rename(inPod.Index, tmp, name));
                Kernel.Do(() => pod.Rtnl.Links.MoveTo(inPod.Index, hostNs, tmp));
                break;
            }
        }
        // A real VF whose namespace died comes back by itself, under the name it had in the pod when that is free in
        // the host: sysfs names it by the VF's PCI address.
        var back = Kernel.Do(() => host.Links.Find(tmp));
        if (back is null && sysfs.Vf(state.Pci) is { } vf)
            back = vf.Netdevs.Where(n => n != state.HostName).Select(n => Kernel.Do(() => host.Links.Find(n))).FirstOrDefault(l => l is not null);
        if (back is not null)
        {
            Kernel.Do(() => host.Links.SetUp(back.Index, false, back.Name));
            if (back.Name != state.HostName) Kernel.Do(() => host.Links.Rename(back.Index, state.HostName, back.Name));
        }
        if (Kernel.Do(() => host.Links.Find(state.HostName)) is { } home)
        {
            if (state.HostMac is { } mac && home.Mac?.ToString() != mac) Kernel.Do(() => host.Links.SetMac(home.Index, MacAddress.Parse(mac), home.Name));
            if (state.HostMtu > 0 && home.Mtu != state.HostMtu) Kernel.Do(() => host.Links.SetMtu(home.Index, state.HostMtu, home.Name));
        }
    }

    public void Check(CniContext ctx)
    {
        var state = new SriovStateStore(ctx.StateDir).Read(ctx.Env.ContainerId, ctx.Env.IfName)
            ?? throw InterfaceCheck.Drift($"no sriov record for container {ctx.Env.ContainerId} interface {ctx.Env.IfName}");
        using var pod = Pod.Open(ctx);
        InterfaceCheck.Verify(ctx, pod.Rtnl, expectedKind: null);
        var expected = ctx.PrevResult!.Interfaces.FirstOrDefault(i => i.Name == ctx.Env.IfName && i.Sandbox == ctx.Env.Netns);
        if (expected?.PciId is { } pci && pci != state.Pci)
            throw InterfaceCheck.Drift($"interface {ctx.Env.IfName} is VF {state.Pci}, prevResult says {pci}");
        ctx.Ipam.Check(ctx);
    }

    public void Status(CniContext ctx)
    {
        if (_s.Pfs.Count == 0) return; // the device plugin hands out VFs; nothing of ours to run out of
        var sysfs = Sysfs(ctx);
        var store = new SriovStateStore(ctx.StateDir);
        using var host = Kernel.Do(Rtnetlink.Open);
        int free = 0;
        foreach (var pf in _s.Pfs)
        {
            string? pfPci = sysfs.PciOfNetdev(pf);
            if (pfPci is null || !sysfs.IsPf(pfPci)) throw new CniException(CniErrorCodes.PluginNotAvailable, $"PF {pf} is not an SR-IOV PF in sysfs");
            foreach (var (_, vfPci) in sysfs.Vfs(pfPci))
                if (store.ClaimOf(vfPci) is null && Usable(sysfs, vfPci, out _) is { } vf && HostNetdev(host, vf) is not null) free++;
        }
        if (free == 0) throw new CniException(CniErrorCodes.PluginNotAvailable, $"no free VF on {string.Join(", ", _s.Pfs)}");
    }

    /// <summary>CNI GC: gives back the VFs of this network's attachments the runtime no longer lists.</summary>
    public void Gc(CniContext ctx)
    {
        Validate(ctx);
        var valid = (ctx.Config.ValidAttachments ?? []).Select(a => (a.ContainerId, a.IfName)).ToHashSet();
        var store = new SriovStateStore(ctx.StateDir);
        foreach (var state in store.All())
        {
            if (state.Network != ctx.Config.Name || valid.Contains((state.ContainerId, state.IfName))) continue;
            GiveBack(Sysfs(ctx), state, state.Netns);
            store.Remove(state);
        }
    }
}
