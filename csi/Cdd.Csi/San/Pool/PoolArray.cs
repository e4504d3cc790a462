using System.Globalization;
using System.Text.Json.Nodes;
using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Node;
using Csi.V1;

namespace Cdd.Csi.San.Pool;

/// <summary>
/// Pre-provisioned LUNs that storage admins mapped to every host, listed as cluster-scoped <c>SanLun</c> objects (WWID,
/// size, how to reach it). CreateVolume claims the smallest free LUN that fits by creating a <c>SanLunClaim</c> named
/// <c>lun-&lt;wwid&gt;</c>: the API server's 409 on a taken name makes the claim atomic across controllers, as the IPAM's
/// reservations do for addresses. DeleteVolume wipes the LUN's first and last MiB, then deletes the claim: a LUN is
/// offered again only once wiped. Masking is the admins' (every host sees every LUN); publishing records the node on the
/// claim, so the single-writer rule holds here too.
/// </summary>
internal sealed class PoolArray(IKube kube, ILunWiper wiper) : IArray
{
    public const string Luns = "sanluns", Claims = "sanlunclaims";

    public string Name => SanVolumeId.Pool;

    public static string ClaimName(string wwid) => "lun-" + wwid;

    sealed record Lun(string Name, string Wwid, long SizeBytes, PublishContext Context);

    /// <summary>The SanLun objects whose spec is well-formed; a bad one is skipped (and is the admins' to fix), never offered.</summary>
    async Task<List<Lun>> ListLuns()
    {
        var luns = new List<Lun>();
        foreach (var o in await kube.ListAsync(Luns))
            if (Parse(o) is { } l) luns.Add(l);
        return luns;
    }

    static Lun? Parse(JsonObject o)
    {
        try
        {
            var spec = o["spec"]!.AsObject();
            string wwid = spec["wwid"]!.GetValue<string>();
            long size = spec["sizeBytes"]!.GetValue<long>();
            var m = new Dictionary<string, string>
            {
                [PublishContext.TransportKey] = spec["transport"]!.GetValue<string>(),
                [PublishContext.LunKey] = spec["lun"]!.GetValue<int>().ToString(CultureInfo.InvariantCulture),
                [PublishContext.WwidKey] = wwid,
                [PublishContext.SerialKey] = spec["serial"]!.GetValue<string>(),
            };
            if (spec["targetIqn"] is { } t) m[PublishContext.TargetKey] = t.GetValue<string>();
            if (spec["portals"] is JsonArray ps) m[PublishContext.PortalsKey] = string.Join(',', ps.Select(p => p!.GetValue<string>()));
            var ctx = PublishContext.Parse(m);
            return size > 0 ? new Lun(o["metadata"]!["name"]!.GetValue<string>(), wwid, size, ctx) : null;
        }
        catch (Exception e) when (e is CsiException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }

    static string? Str(JsonObject o, string field) => o["spec"]?[field]?.GetValue<string>();

    async Task<Dictionary<string, JsonObject>> ListClaims() =>
        (await kube.ListAsync(Claims)).Where(c => Str(c, "wwid") is not null).ToDictionary(c => Str(c, "wwid")!);

    public async Task<SanVolume> CreateAsync(string name, CapacityRange? range, string fsType)
    {
        var claims = await ListClaims();
        var luns = await ListLuns();
        // The request name is the idempotency key: a claim made for it earlier is this call again.
        if (claims.Values.FirstOrDefault(c => Str(c, "volumeName") == name) is { } mine)
        {
            var lun = luns.FirstOrDefault(l => l.Wwid == Str(mine, "wwid"))
                ?? throw new CsiException(CsiFault.FailedPrecondition, $"volume {name} holds LUN {Str(mine, "wwid")}, whose SanLun is gone");
            if (!Capacity.Fits(lun.SizeBytes, range))
                throw new CsiException(CsiFault.AlreadyExists, $"volume {name} exists on LUN {lun.Wwid} with {lun.SizeBytes} bytes, incompatible with this request");
            return Volume(lun, mine);
        }
        long minimum = fsType == "xfs" ? Math.Max(range?.RequiredBytes ?? 0, Capacity.XfsMinimumBytes) : range?.RequiredBytes ?? 0;
        var fitting = luns.Where(l => !claims.ContainsKey(l.Wwid) && Capacity.Fits(l.SizeBytes, range) && l.SizeBytes >= minimum)
            .OrderBy(l => l.SizeBytes).ThenBy(l => l.Wwid, StringComparer.Ordinal).ToList();
        foreach (var lun in fitting)
        {
            var claim = new JsonObject
            {
                ["apiVersion"] = "cdd.io/v1",
                ["kind"] = "SanLunClaim",
                ["metadata"] = new JsonObject { ["name"] = ClaimName(lun.Wwid) },
                ["spec"] = new JsonObject { ["wwid"] = lun.Wwid, ["volumeName"] = name, ["sanLun"] = lun.Name, ["publishedNode"] = "" },
            };
            // 409: another controller took it first; try the next.
            if (await kube.CreateAsync(Claims, claim)) return Volume(lun, claim);
        }
        throw new CsiException(CsiFault.ResourceExhausted,
            $"no free SanLun of {range?.RequiredBytes ?? 0}..{(range is { LimitBytes: > 0 } ? range.LimitBytes.ToString(CultureInfo.InvariantCulture) : "any")} bytes ({luns.Count} listed, {claims.Count} claimed)");
    }

    static SanVolume Volume(Lun lun, JsonObject claim) =>
        new(new SanVolumeId(SanVolumeId.Pool, lun.Wwid), lun.SizeBytes, lun.Wwid, lun.Context.Serial,
            Str(claim, "publishedNode") is { Length: > 0 } n ? [n] : []);

    async Task<(Lun Lun, JsonObject Claim)?> Find(SanVolumeId id)
    {
        var claims = await ListClaims();
        if (!claims.TryGetValue(id.Key, out var claim)) return null;
        var lun = (await ListLuns()).FirstOrDefault(l => l.Wwid == id.Key);
        return lun is null ? null : (lun, claim);
    }

    public async Task<SanVolume?> FindAsync(SanVolumeId id) => await Find(id) is { } f ? Volume(f.Lun, f.Claim) : null;

    public async Task DeleteAsync(SanVolumeId id)
    {
        var claims = await ListClaims();
        if (!claims.TryGetValue(id.Key, out var claim)) return;
        if (Str(claim, "publishedNode") is { Length: > 0 } node)
            throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is still published to {NodeIdentity.Parse(node).Node}");
        var lun = (await ListLuns()).FirstOrDefault(l => l.Wwid == id.Key);
        // The next tenant must never see this one's filesystem or partition table: wiped first, freed after.
        if (lun is not null) await wiper.WipeAsync(lun.Context, lun.SizeBytes);
        await kube.DeleteAsync(Claims, ClaimName(id.Key));
    }

    public async Task<long> ExpandAsync(SanVolumeId id, CapacityRange range)
    {
        var f = await Find(id) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        if (range.RequiredBytes > f.Lun.SizeBytes)
            throw new CsiException(CsiFault.OutOfRange, $"LUN {id.Key} is a fixed {f.Lun.SizeBytes} bytes; a pre-provisioned LUN does not grow");
        return f.Lun.SizeBytes;
    }

    public async Task<PublishContext> PublishAsync(SanVolumeId id, NodeIdentity node, bool readOnly, IReadOnlyDictionary<string, string> secrets)
    {
        var f = await Find(id) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        if (Str(f.Claim, "publishedNode") != node.ToString())
        {
            f.Claim["spec"]!["publishedNode"] = node.ToString();
            if (!await kube.UpdateAsync(Claims, f.Claim))
                throw new CsiException(CsiFault.Aborted, $"volume {id}: its claim changed meanwhile; retry");
        }
        return f.Lun.Context;
    }

    public async Task UnpublishAsync(SanVolumeId id, string nodeId)
    {
        if (await Find(id) is not { } f || Str(f.Claim, "publishedNode") != nodeId) return;
        f.Claim["spec"]!["publishedNode"] = "";
        if (!await kube.UpdateAsync(Claims, f.Claim))
            throw new CsiException(CsiFault.Aborted, $"volume {id}: its claim changed meanwhile; retry");
    }

    public async Task<IReadOnlyList<SanVolume>> ListAsync()
    {
        var claims = await ListClaims();
        return (await ListLuns()).Where(l => claims.ContainsKey(l.Wwid)).Select(l => Volume(l, claims[l.Wwid])).ToList();
    }

    public async Task<(long Available, long Maximum)> CapacityAsync()
    {
        var claims = await ListClaims();
        var free = (await ListLuns()).Where(l => !claims.ContainsKey(l.Wwid)).Select(l => l.SizeBytes).ToList();
        return (free.Sum(), free.DefaultIfEmpty(0).Max());
    }

    public async Task ProbeAsync() => await kube.ListAsync(Luns);
}

/// <summary>Zeroes a LUN's first and last MiB (filesystem and partition table signatures, GPT's backup) before it is freed.</summary>
internal interface ILunWiper
{
    Task WipeAsync(PublishContext lun, long sizeBytes);
}
