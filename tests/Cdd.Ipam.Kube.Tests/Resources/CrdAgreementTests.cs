using System.Net;
using System.Text.Json.Nodes;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Testing;
using k8s;
using k8s.Models;

namespace Cdd.Ipam.Kube.Tests.Resources;

/// <summary>What the agent writes fits the CRDs in deploy/manifests/crds: every field it sends is in the schema (a
/// structural schema would silently prune any other), with the schema's type.</summary>
[Tier(Tier.Unit)]
public sealed class CrdAgreementTests
{
    static V1CustomResourceDefinitionVersion Version(string file)
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(RepoRoot.Path, "deploy", "manifests", "crds", file)));
        Assert.Equal(CddResources.Group, crd.Spec.Group);
        Assert.Equal("Cluster", crd.Spec.Scope);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(CddResources.Version, version.Name);
        return version;
    }

    static V1JSONSchemaProps Schema(string file) => Version(file).Schema.OpenAPIV3Schema;

    /// <summary>Every leaf of <paramref name="json"/> has a property in <paramref name="schema"/> of a matching type.</summary>
    static void AssertFits(V1JSONSchemaProps schema, JsonNode? json, string path)
    {
        switch (json)
        {
            case JsonObject o:
                Assert.True(schema.Type == "object", $"{path} is an object in the code but {schema.Type} in the CRD");
                foreach (var (key, value) in o)
                {
                    if (path == "" && key is "apiVersion" or "kind") continue; // implicit in every schema
                    if (schema.Properties?.TryGetValue(key, out var child) == true) AssertFits(child, value, $"{path}.{key}");
                    else if (schema.AdditionalProperties is null && schema.XKubernetesPreserveUnknownFields != true)
                        Assert.Fail($"{path}.{key} is written by the code but not in the CRD schema");
                }
                break;
            case JsonArray a:
                Assert.True(schema.Type == "array", $"{path} is an array in the code but {schema.Type} in the CRD");
                // items is "a schema or an array of schemas" in the model: read it back as the one schema our CRDs use.
                var items = KubernetesJson.Deserialize<V1JSONSchemaProps>(KubernetesJson.Serialize(schema.Items));
                foreach (var item in a) AssertFits(items, item, $"{path}[]");
                break;
            case JsonValue v:
                string kind = v.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.String => "string",
                    System.Text.Json.JsonValueKind.Number => "integer",
                    _ => "boolean",
                };
                Assert.True(schema.Type == kind, $"{path} is a {kind} in the code but {schema.Type} in the CRD");
                break;
        }
    }

    [Fact]
    public void An_ip_reservation_as_the_store_writes_it_fits_the_crd()
    {
        var r = new Reservation
        {
            Pool = "mysql", Segment = "seg-a", Address = IPAddress.Parse("10.0.0.5"), Vlan = 100, Node = "n1",
            Owner = new Owner("c1", "eth0") { PodNamespace = "db", PodName = "mysql-0", PodUid = "u", Network = "net" },
            Fixed = FixedIdentity.Member("db", "mysql", 0),
        };
        var obj = ReservationCodec.Encode(r, IPAddress.Parse("10.0.0.1"));
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();
        json.Remove("metadata");
        AssertFits(Schema("ipreservations.cdd.io.yaml"), json, "");
        var annotated = ReservationCodec.Encode(r with { Fixed = FixedIdentity.Annotated("db", "primary") }, null);
        var json2 = JsonNode.Parse(KubernetesJson.Serialize(annotated))!.AsObject();
        json2.Remove("metadata");
        AssertFits(Schema("ipreservations.cdd.io.yaml"), json2, "");
    }

    [Fact]
    public void An_ip_pool_status_as_the_view_writes_it_fits_the_crd()
    {
        var status = new IpPoolStatus
        {
            SegmentCount = 1, Total = 10, Allocated = 3, Free = 7,
            Segments = [new IpPoolSegmentStatus { Name = "seg-a", Total = 10, Allocated = 3, Free = 7 }],
        };
        var version = Version("ippools.cdd.io.yaml");
        Assert.NotNull(version.Subresources?.Status); // the view writes status through /status
        AssertFits(version.Schema.OpenAPIV3Schema.Properties["status"], JsonNode.Parse(KubernetesJson.Serialize(status)), "status");
    }
}
