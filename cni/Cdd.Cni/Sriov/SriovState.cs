using System.Text.Json;
using System.Text.Json.Serialization;
using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;
using Cdd.Net;

namespace Cdd.Cni.Sriov;

/// <summary>
/// What DEL needs to give a VF back, kept per attachment in STATE/sriov/CONTAINERID-IFNAME.json and written
/// atomically (temp + rename) before ADD changes anything, so a killed ADD is undone by the DEL that follows.
/// </summary>
internal sealed class SriovState
{
    [JsonPropertyName("pci")] public string Pci { get; set; } = "";
    [JsonPropertyName("pfPci")] public string PfPci { get; set; } = "";
    [JsonPropertyName("pfName")] public string? PfName { get; set; }
    [JsonPropertyName("vf")] public int VfIndex { get; set; }
    /// <summary>The VF netdev's name, MAC and MTU in the host namespace before ADD.</summary>
    [JsonPropertyName("hostName")] public string HostName { get; set; } = "";
    [JsonPropertyName("hostMac")] public string? HostMac { get; set; }
    [JsonPropertyName("hostMtu")] public int HostMtu { get; set; }
    [JsonPropertyName("containerID")] public string ContainerId { get; set; } = "";
    [JsonPropertyName("ifName")] public string IfName { get; set; } = "";
    [JsonPropertyName("network")] public string? Network { get; set; }
    /// <summary>The pod namespace (CNI_NETNS) of the ADD: GC has no other way to find the VF.</summary>
    [JsonPropertyName("netns")] public string? Netns { get; set; }
    /// <summary>The VF's settings as the PF reported them before ADD; null when ADD changed none.</summary>
    [JsonPropertyName("saved")] public VfJson? Saved { get; set; }
    /// <summary>Which settings ADD changed (only those are restored).</summary>
    [JsonPropertyName("changed")] public VfJson? Changed { get; set; }
}

/// <summary>A VF's settings on disk; a missing field is "not set / not changed".</summary>
internal sealed class VfJson
{
    [JsonPropertyName("mac")] public string? Mac { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
    [JsonPropertyName("qos")] public int? Qos { get; set; }
    [JsonPropertyName("vlanProto")] public ushort? Proto { get; set; }
    [JsonPropertyName("spoofchk")] public bool? SpoofCheck { get; set; }
    [JsonPropertyName("trust")] public bool? Trust { get; set; }
    [JsonPropertyName("linkState")] public uint? LinkState { get; set; }
    [JsonPropertyName("minTxRate")] public uint? MinTxRate { get; set; }
    [JsonPropertyName("maxTxRate")] public uint? MaxTxRate { get; set; }

    public static VfJson From(VfInfo i) => new()
    {
        Mac = i.Mac?.ToString(), Vlan = i.Vlan, Qos = i.Qos, Proto = (ushort)i.VlanProtocol, SpoofCheck = i.SpoofCheck, Trust = i.Trust,
        LinkState = (uint?)i.LinkState, MinTxRate = i.MinTxRate, MaxTxRate = i.MaxTxRate,
    };

    public static VfJson From(VfChange c) => new()
    {
        Mac = c.Mac?.ToString(), Vlan = c.Vlan?.Vlan, Qos = c.Vlan?.Qos, Proto = (ushort?)c.Vlan?.Protocol, SpoofCheck = c.SpoofCheck, Trust = c.Trust,
        LinkState = (uint?)c.LinkState, MinTxRate = c.Rate?.Min, MaxTxRate = c.Rate?.Max,
    };

    public VfInfo ToInfo(int index) => new()
    {
        Index = index, Mac = Mac is null ? null : MacAddress.Parse(Mac), Vlan = Vlan ?? 0, Qos = Qos ?? 0,
        VlanProtocol = (VlanProtocol)(Proto ?? (ushort)VlanProtocol.Dot1Q), SpoofCheck = SpoofCheck, Trust = Trust,
        LinkState = (VfLinkState?)LinkState, MinTxRate = MinTxRate ?? 0, MaxTxRate = MaxTxRate ?? 0,
    };

    public VfChange ToChange() => new()
    {
        Mac = Mac is null ? null : MacAddress.Parse(Mac),
        Vlan = Vlan is { } v ? (v, Qos ?? 0, (VlanProtocol)(Proto ?? (ushort)VlanProtocol.Dot1Q)) : null,
        SpoofCheck = SpoofCheck, Trust = Trust, LinkState = (VfLinkState?)LinkState,
        Rate = MinTxRate is not null || MaxTxRate is not null ? (MinTxRate ?? 0, MaxTxRate ?? 0) : null,
    };
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SriovState))]
[JsonSerializable(typeof(SriovConf))]
internal sealed partial class SriovJsonContext : JsonSerializerContext;

/// <summary>The sriov mode's files under the state directory: attachment records, VF claims and per-VF locks.</summary>
internal sealed class SriovStateStore(string stateDir)
{
    public string Dir { get; } = Path.Combine(stateDir, "sriov");
    string Attachments => Path.Combine(Dir, "attachments");
    string Claims => Path.Combine(Dir, "vfs");
    public string LockPath(string pci) => Path.Combine(Dir, "locks", pci + ".lock");

    string AttachmentPath(string containerId, string ifName) => Path.Combine(Attachments, $"{containerId}-{ifName}.json");

    public SriovState? Read(string containerId, string ifName) => ReadFile(AttachmentPath(containerId, ifName));

    public IEnumerable<SriovState> All() =>
        Directory.Exists(Attachments)
            ? Directory.EnumerateFiles(Attachments, "*.json").Select(ReadFile).OfType<SriovState>().ToList()
            : [];

    static SriovState? ReadFile(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SriovJsonContext.Default.SriovState);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"sriov state {path} is unreadable", ex.Message);
        }
    }

    public void Write(SriovState state)
    {
        Directory.CreateDirectory(Attachments);
        string path = AttachmentPath(state.ContainerId, state.IfName);
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            JsonSerializer.Serialize(f, state, SriovJsonContext.Default.SriovState);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public void Remove(SriovState state)
    {
        File.Delete(AttachmentPath(state.ContainerId, state.IfName));
        ReleaseClaim(state.Pci, state.ContainerId, state.IfName);
    }

    /// <summary>Who holds the VF: "CONTAINERID/IFNAME", or null.</summary>
    public string? ClaimOf(string pci)
    {
        try
        {
            return File.ReadAllText(Path.Combine(Claims, pci)).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Claims the VF for the attachment (O_EXCL); false when another attachment holds it.</summary>
    public bool TryClaim(string pci, string containerId, string ifName)
    {
        Directory.CreateDirectory(Claims);
        string owner = $"{containerId}/{ifName}";
        try
        {
            // No FileShare lock: on Linux .NET takes flock() for it, which would make readers of the claim fail.
            using var f = new FileStream(Path.Combine(Claims, pci), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            f.Write(System.Text.Encoding.UTF8.GetBytes(owner));
            f.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(Path.Combine(Claims, pci)))
        {
            return ClaimOf(pci) == owner;
        }
    }

    public void ReleaseClaim(string pci, string containerId, string ifName)
    {
        if (ClaimOf(pci) == $"{containerId}/{ifName}") File.Delete(Path.Combine(Claims, pci));
    }
}
