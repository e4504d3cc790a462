using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Model;

/// <summary>A MySQLCluster's spec as the reconciler reads it, and the member names it derives.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ClusterSpecTests
{
    static JsonObject Cluster(Action<JsonObject>? edit = null)
    {
        var o = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "orders", ["namespace"] = "db", ["uid"] = "u-1" },
            ["spec"] = new JsonObject
            {
                ["members"] = 3,
                ["mysql"] = new JsonObject { ["image"] = "mysql:8.4" },
                ["network"] = new JsonObject { ["mode"] = "sriov", ["pool"] = "p" },
                ["storage"] = new JsonObject { ["class"] = "san", ["size"] = 1073741824 },
                ["resources"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "2Gi" },
                ["zones"] = new JsonArray("az1", "az2"),
                ["overCommit"] = new JsonObject { ["cpuCeiling"] = 1.2, ["breakers"] = new JsonObject { ["cpu"] = 0.7 } },
            },
        };
        edit?.Invoke((JsonObject)o["spec"]!);
        return o;
    }

    [Fact]
    public void A_spec_becomes_the_placement_request_with_defaults_for_what_is_omitted()
    {
        var s = ClusterSpec.Parse(Cluster());
        Assert.Equal("db/orders", s.Key);
        var r = s.Request;
        Assert.Equal(("db/orders", 3, NetworkMode.Sriov, "san"), (r.Name, r.Members, r.Mode, r.StorageClass));
        Assert.Equal((1L << 30, 500L, 2L << 30), (r.StorageBytes, r.CpuMillis, r.MemoryBytes));
        Assert.Equal(["az1", "az2"], r.Zones);
        Assert.Equal(1.2, r.OverCommitCeiling);
        Assert.Equal(BreakerThresholds.Default with { Cpu = 0.7 }, r.Breakers);
        Assert.Equal("1073741824", s.StorageSize);
    }

    [Theory]
    [InlineData("members", "4", "spec.members: 4")]
    [InlineData("members", "3.5", "spec.members: 3.5")]
    [InlineData("members", "\"3\"", "spec.members: \"3\" is not a number")]
    [InlineData("network", "{\"mode\":\"ipvlan\",\"pool\":\"p\"}", "spec.network.mode: \"ipvlan\"")]
    [InlineData("storage", "{\"class\":\"san\",\"size\":\"10GB\"}", "spec.storage.size: \"10GB\"")]
    [InlineData("resources", "{\"cpu\":\"2\"}", "spec.resources.memory is missing")]
    public void A_spec_the_reconciler_cannot_use_is_refused_naming_the_field(string field, string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ClusterSpec.Parse(Cluster(s => s[field] = JsonNode.Parse(json))));
        Assert.StartsWith(message, e.Message);
    }

    [Theory]
    [InlineData("orders", "orders-0", 0)]
    [InlineData("orders", "orders-12", 12)]
    [InlineData("orders", "orders-primary", null)]
    [InlineData("orders", "orders-01", null)]
    [InlineData("orders", "orders-x-1", null)]
    [InlineData("orders", "ordersx-1", null)]
    public void Only_member_names_have_an_ordinal(string cluster, string pod, int? ordinal) =>
        Assert.Equal(ordinal, MemberNames.Ordinal(cluster, pod));
}
