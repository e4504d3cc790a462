using Cdd.Csi.San.Node;
using Cdd.Testing;

namespace Cdd.Csi.Tests.San;

/// <summary>sysfs parsing on a fake tree with the kernel's nested links (a class entry linking into devices/, links inside it).</summary>
[Tier(Tier.Unit)]
public sealed class ScsiSysfsTests : IDisposable
{
    readonly TempDir _sys = new("cdd-scsi-sysfs");

    public void Dispose() => _sys.Dispose();

    string P(string rel) => Path.Combine(_sys.Path, rel);

    void Dir(string rel) => Directory.CreateDirectory(P(rel));

    void Write(string rel, string text) => File.WriteAllText(P(rel), text);

    void Bytes(string rel, byte[] b) => File.WriteAllBytes(P(rel), b);

    void Link(string rel, string target) => File.CreateSymbolicLink(P(rel), target);

    [Fact]
    public void Session_host_path_identity_and_map_are_read_through_the_links_the_kernel_makes()
    {
        // /sys/class/iscsi_session/session1 -> ../../devices/platform/host2/session1/iscsi_session/session1, device -> ../../../session1
        Dir("devices/platform/host2/session1/iscsi_session/session1");
        Link("devices/platform/host2/session1/iscsi_session/session1/device", "../../../session1");
        Dir("class/iscsi_session");
        Link("class/iscsi_session/session1", "../../devices/platform/host2/session1/iscsi_session/session1");
        Write("devices/platform/host2/session1/iscsi_session/session1/target_id", "0\n");

        string dev = "devices/platform/host2/session1/target2:0:0/2:0:0:3";
        Dir(dev + "/block/sdb");
        Write(dev + "/wwid", "naa.6001405" + new string('c', 25) + "\n");
        Write(dev + "/state", "running\n");
        Bytes(dev + "/vpd_pg80", [0, 0x80, 0, 4, (byte)'S', (byte)'E', (byte)'R', (byte)'1']);
        Dir(dev + "/scsi_device/2:0:0:3");
        Link(dev + "/scsi_device/2:0:0:3/device", "../../../2:0:0:3");
        Dir("class/scsi_device");
        Link("class/scsi_device/2:0:0:3", "../../" + dev + "/scsi_device/2:0:0:3");
        Dir("class/block/sdb");
        Write("class/block/sdb/size", "131072\n");

        Dir("block/dm-0/dm");
        Dir("block/dm-0/slaves/sdb");
        Write("block/dm-0/dm/uuid", "mpath-36001405" + new string('c', 25) + "\n");
        Write("block/dm-0/dm/name", "36001405" + new string('c', 25) + "\n");
        Write("block/dm-0/size", "131072\n");

        var sysfs = new ScsiSysfs(_sys.Path);
        Assert.Equal(2, sysfs.SessionHost(1));
        Assert.Null(sysfs.SessionHost(7));
        Assert.Equal(0, sysfs.SessionTargetId(1));
        var path = sysfs.Path("2:0:0:3");
        Assert.Equal(new ScsiPath("2:0:0:3", "sdb", "36001405" + new string('c', 25), "SER1", "running", 64L << 20), path);
        Assert.Single(sysfs.PathsByWwid("36001405" + new string('c', 25)));
        var map = sysfs.MapByUuid("mpath-36001405" + new string('c', 25));
        Assert.Equal(["sdb"], map!.Slaves);
        Assert.Equal(64L << 20, map.SizeBytes);
        Assert.Null(sysfs.MapByUuid("mpath-36001405" + new string('d', 25)));
    }

    [Fact]
    public void Multipath_status_names_the_failed_paths()
    {
        const string status = "0 131072 multipath 2 0 0 0 2 1 A 0 1 2 8:16 A 0 0 1 E 0 1 2 8:32 F 1 0 1";
        Assert.Equal(["8:32"], Multipath.ParseFailed(status));
    }

    [Fact]
    public void Multipath_table_is_resized_by_its_length_only_and_anything_else_is_refused()
    {
        const string table = "0 131072 multipath 1 queue_if_no_path 1 alua 1 1 service-time 0 2 1 8:0 1 8:16 1\n";
        Assert.Equal("0 262144 multipath 1 queue_if_no_path 1 alua 1 1 service-time 0 2 1 8:0 1 8:16 1", Multipath.Resized(table, 128L << 20));
        Assert.Null(Multipath.Resized("0 131072 linear 253:0 0", 128L << 20));
        Assert.Null(Multipath.Resized(table + table, 128L << 20));
        Assert.Null(Multipath.Resized(table, (128L << 20) + 1));
    }

    [Fact]
    public void Iscsiadm_session_lines_parse_into_id_portal_and_target()
    {
        var s = IscsiAdm.Parse("tcp: [3] 10.0.9.2:3260,2 iqn.2026-12.io.cdd:vm-storage (non-flash)\nnoise\n");
        Assert.Equal(new IscsiSession(3, System.Net.IPEndPoint.Parse("10.0.9.2:3260"), "iqn.2026-12.io.cdd:vm-storage"), Assert.Single(s));
    }
}
