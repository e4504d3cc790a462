using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Spec;

/// <summary>
/// Decodes the config on stdin and checks the spec's common fields and the ones every mode shares.
/// Mode-specific fields are the mode's own business (<see cref="ParseModeFields"/>).
/// </summary>
public static class NetConfParser
{
    public static NetConf Parse(ReadOnlySpan<byte> json, CniCommand command)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
            throw new CniException(CniErrorCodes.DecodingFailure, "network config: stdin is empty");

        NetConf? conf;
        try
        {
            conf = JsonSerializer.Deserialize(json, CniJsonContext.Default.NetConf);
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, "network config");
        }
        if (conf is null) throw new CniException(CniErrorCodes.DecodingFailure, "network config: expected a JSON object, got null");

        CheckVersion(conf, command);
        if (string.IsNullOrEmpty(conf.Name)) throw Invalid("name is required");
        if (!CniIdentifiers.IsValidName(conf.Name))
            throw Invalid($"name \"{conf.Name}\" is invalid: it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
        if (string.IsNullOrEmpty(conf.Type)) throw Invalid("type is required");

        if (command is CniCommand.Add or CniCommand.Del or CniCommand.Check) CheckIpam(conf);
        // On every verb that may exec it (GC and STATUS too): a main plugin exec'd as its own IPAM reads the same config and recurses.
        if (conf.IpamType is { Length: > 0 } ipamType && ipamType == conf.Type)
            throw Invalid($"ipam.type \"{ipamType}\" names the plugin itself (type); IPAM is another plugin (cdd-ipam, host-local, static)");
        if (conf.Mtu is int mtu && mtu is < 68 or > 65535)
            throw Invalid($"mtu {mtu} is out of range (68..65535)");
        CheckRuntimeConfig(conf.RuntimeConfig);
        CheckValidAttachments(conf.ValidAttachments);
        return conf;
    }

    /// <summary>
    /// A mode's own fields, decoded from the same config bytes into the mode's type (fields of other modes and the
    /// common ones are ignored). A field of the wrong JSON type is code 6, as for the common fields.
    /// </summary>
    public static T ParseModeFields<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> info) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, info)
                ?? throw new CniException(CniErrorCodes.DecodingFailure, "network config: expected a JSON object, got null");
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, "network config");
        }
    }

    private static void CheckVersion(NetConf conf, CniCommand command)
    {
        string? v = conf.CniVersion;
        if (string.IsNullOrEmpty(v)) throw Invalid("cniVersion is required");
        if (!CniVersions.IsSupported(v))
            throw Incompatible($"cniVersion {v} is not supported; supported: {string.Join(", ", CniVersions.Supported)}");
        // The verbs arrived with later spec versions; a runtime speaking an older version cannot mean them.
        if (command == CniCommand.Check && !CniVersions.AtLeast(v, "0.4.0"))
            throw Incompatible($"CHECK needs cniVersion 0.4.0 or later; the config has {v}");
        if (command is CniCommand.Gc or CniCommand.Status && !CniVersions.AtLeast(v, "1.1.0"))
            throw Incompatible($"{command.ToVerb()} needs cniVersion 1.1.0 or later; the config has {v}");
    }

    private static void CheckIpam(NetConf conf)
    {
        if (conf.Ipam is not { } ipam || ipam.ValueKind == JsonValueKind.Null) throw Invalid("ipam is required");
        if (ipam.ValueKind != JsonValueKind.Object) throw Invalid("ipam must be an object");
        string? type = conf.IpamType;
        if (string.IsNullOrEmpty(type)) throw Invalid("ipam.type is required");
        // The type is exec'd from CNI_PATH: it must be a file name, never a path that escapes those directories.
        if (type is "." or ".." || type.Contains('/'))
            throw Invalid($"ipam.type \"{type}\" must be a plugin name, not a path");
    }

    private static void CheckRuntimeConfig(RuntimeConfig? rc)
    {
        if (rc is null) return;
        if (rc.Mac is { } mac)
        {
            if (!Cdd.Net.MacAddress.TryParse(mac, out var parsed))
                throw Invalid($"runtimeConfig.mac \"{mac}\" is not a MAC address: six two-digit hex octets separated by ':' or '-' (02:42:ac:11:00:02)");
            // The low bit of the first octet marks multicast; the kernel refuses such a MAC on a link.
            if (parsed.IsMulticast || parsed.IsZero)
                throw Invalid($"runtimeConfig.mac \"{mac}\" is not a unicast MAC address");
            rc.ParsedMac = parsed;
        }
        if (rc.Ips is { } ips)
        {
            foreach (var ip in ips)
                if (!IpText.TryParsePrefix(ip, out _) && !IpText.TryParseAddress(ip, out _))
                    throw Invalid($"runtimeConfig.ips: \"{ip}\" is not an address or an address with a prefix length");
        }
    }

    private static void CheckValidAttachments(List<ValidAttachment>? valid)
    {
        if (valid is null) return;
        for (int i = 0; i < valid.Count; i++)
        {
            var a = valid[i];
            if (a is null) throw Invalid($"cni.dev/valid-attachments[{i}] must be an object with containerID and ifname");
            if (string.IsNullOrEmpty(a.ContainerId)) throw Invalid($"cni.dev/valid-attachments[{i}].containerID is required");
            if (string.IsNullOrEmpty(a.IfName)) throw Invalid($"cni.dev/valid-attachments[{i}].ifname is required");
        }
    }

    private static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
    private static CniException Incompatible(string msg) => new(CniErrorCodes.IncompatibleVersion, msg);
}
