using Xunit.Abstractions;

namespace Cdd.Vm.Tests;

/// <summary>One boot for the whole class: the guest runs scripts and hands back output and exit codes.</summary>
public sealed class BootedGuest : IDisposable
{
    public BootedGuest() => Vm = Vm.Boot(new VmOptions { ForwardedPorts = 1 });

    public Vm Vm { get; }

    public void Dispose() => Vm.Dispose();
}

[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class GuestBootTests(BootedGuest guest, ITestOutputHelper output) : IClassFixture<BootedGuest>
{
    readonly Vm _vm = guest.Vm;

    [Fact]
    public void Guest_reports_its_boot_time()
    {
        Assert.True(_vm.GuestUptimeAtReady > 0);
        output.WriteLine($"boot to ready: {_vm.BootTime.TotalSeconds:F1} s wall, {_vm.GuestUptimeAtReady:F1} s guest uptime");
    }

    [Fact]
    public void Guest_runs_debian_stock_kernel_not_the_hosts()
    {
        var r = _vm.Run("uname -r").EnsureSuccess("uname -r");
        Assert.Equal(_vm.KernelVersion, r.Stdout.Trim());
    }

    [Fact]
    public void Script_output_and_exit_code_come_back_to_the_host()
    {
        var r = _vm.Run("echo out; echo err >&2; exit 7");
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public void Host_root_is_visible_and_read_only_below_a_writable_overlay()
    {
        string marker = Path.Combine(RepoRootPath, "CddPlugins.sln");
        var r = _vm.Run($"""
            test -f '{marker}' || exit 10
            touch /etc/cdd-vm-overlay-probe || exit 11
            grep -q ' / overlay ' /proc/mounts || exit 12
            """);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.False(File.Exists("/etc/cdd-vm-overlay-probe"), "a guest write reached the host's /etc");
    }

    [Fact]
    public void Forwarded_loopback_port_reaches_a_server_in_the_guest()
    {
        int port = _vm.Ports[0];
        _vm.Run($"setsid busybox nc -l -p {port} -e busybox echo hello-from-guest > /dev/null 2>&1 < /dev/null &").EnsureSuccess("start nc");
        // The listener starts asynchronously in the guest: retry the connect until it answers.
        string reply = Cdd.Testing.Eventually.Until($"a reply on 127.0.0.1:{port}", () =>
        {
            try
            {
                using var c = new System.Net.Sockets.TcpClient("127.0.0.1", port);
                using var reader = new StreamReader(c.GetStream());
                return reader.ReadToEnd().Trim();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                return "";
            }
        }, r => r.Length > 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.Equal("hello-from-guest", reply);
    }

    static string RepoRootPath => Cdd.Testing.RepoRoot.Path;
}
