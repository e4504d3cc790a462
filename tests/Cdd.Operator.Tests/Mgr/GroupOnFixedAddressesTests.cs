using Cdd.Operator.Model;
using Cdd.Testing;

namespace Cdd.Operator.Tests.Mgr;

/// <summary>
/// A three-member MGR group made by the operator's pods: addresses bound by the operator, plugged by cdd-cni with
/// cdd-ipam's file store over a two-segment pool, and the settings MGR runs with are the pod spec's.
/// </summary>
[Tier(Tier.Mgr)]
[Collection(MgrCollection.Name)]
public sealed class GroupOnFixedAddressesTests(MgrCluster c) : IClassFixture<MgrCluster>
{
    [Fact]
    public void Every_member_is_online_on_the_address_the_operator_bound_and_reports_it_as_its_host()
    {
        var rows = c.Member("orders-0").Members();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal("ONLINE", r.State));
        var addresses = c.Pods().Select(p => p.Annotation(MemberNames.AddressAnnotation)!).Order().ToList();
        Assert.Equal(addresses, rows.Select(r => r.Host).Order().ToList());
        foreach (var pod in c.Pods())
        {
            var m = c.Member(pod.Name());
            Assert.Equal(pod.Annotation(MemberNames.AddressAnnotation), m.Net!.Address.ToString());
            Assert.Equal(m.Net.Address.ToString(), m.Text("SELECT @@report_host"));
            Assert.Equal($"{m.Net.Address}:33061", m.Text("SELECT @@group_replication_local_address"));
            Assert.Equal(MgrLab.Allowlist, m.Text("SELECT @@group_replication_ip_allowlist"));
            Assert.Equal(string.Join(',', c.Pods().OrderBy(p => p.Name(), StringComparer.Ordinal).Select(p => $"{p.Annotation(MemberNames.AddressAnnotation)}:33061")),
                m.Text("SELECT @@group_replication_group_seeds"));
            // The address sits on the pod's eth0 inside its own namespace, given by cdd-cni.
            Assert.Contains($"{m.Net.Address}/24", m.Net.Netns.Ip_("-4", "-o", "addr", "show", "dev", "eth0"));
        }
    }

    [Fact]
    public void The_members_sit_on_both_segments_of_the_pool_and_reach_each_other_through_the_gateway()
    {
        var segments = c.Pods().ToDictionary(p => p.Name(), p => c.Member(p.Name()).Net!.Segment);
        Assert.Equal(["seg-a", "seg-b"], segments.Values.Distinct().Order());
        foreach (var p in c.Pods())
            Assert.Equal(MgrCluster.RackOf(p.NodeName()) == "a" ? "seg-a" : "seg-b", segments[p.Name()]);
        // MGR's own traffic crosses the fabric's router: every member ONLINE while the segments differ.
        Assert.True(c.AllOnline(3));
    }

    [Fact]
    public void A_write_on_the_primary_reaches_every_member()
    {
        var primary = c.Member(c.GroupPrimary()!);
        primary.Execute("CREATE DATABASE IF NOT EXISTS t; CREATE TABLE IF NOT EXISTS t.w (id INT PRIMARY KEY); INSERT INTO t.w VALUES (1);");
        foreach (var m in c.RunningMembers)
            Eventually.True($"row on {m.Name}", () => Convert.ToInt64(m.Scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='t' AND table_name='w'")) == 1
                && Convert.ToInt64(m.Scalar("SELECT COUNT(*) FROM t.w")) == 1, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_status_shows_each_members_state_role_version_and_applier_queue()
    {
        await c.WaitAsync("version and applier queue of every member in the status", () =>
            c.F.Cluster(MgrCluster.Name)?["status"]?["members"]?.AsArray() is { Count: 3 } ms
            && ms.All(m => m?["version"] is not null && m["applierQueue"] is not null && m["state"] is not null), TimeSpan.FromSeconds(60));
        var members = c.F.Cluster(MgrCluster.Name)!["status"]!["members"]!.AsArray();
        string version = c.Member("orders-0").Text("SELECT @@version");
        foreach (var m in members)
        {
            Assert.StartsWith(m!["version"]!.GetValue<string>(), version); // MEMBER_VERSION 9.7.4 of server 9.7.4-2
            Assert.True(m["applierQueue"]!.GetValue<long>() >= 0);
            Assert.Equal("ONLINE", m["state"]!.GetValue<string>());
        }
        Assert.Single(members, m => m!["role"]!.GetValue<string>() == "PRIMARY");
    }

    [Fact]
    public async Task The_operator_labels_the_primary_and_shows_it_in_the_status()
    {
        string primary = c.GroupPrimary()!;
        await c.WaitAsync("label on the primary", () => c.LabelledPrimary() == primary && c.StatusPrimary() == c.NodeOf(primary), TimeSpan.FromSeconds(30));
    }
}
