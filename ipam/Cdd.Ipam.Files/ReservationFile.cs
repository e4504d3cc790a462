using System.Net;
using System.Text.Json;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Files;

/// <summary>Maps a reservation to and from its file's JSON.</summary>
internal static class ReservationFile
{
    public static byte[] Encode(Reservation r, long generation) => JsonSerializer.SerializeToUtf8Bytes(new ReservationJson
    {
        Pool = r.Pool,
        Segment = r.Segment,
        Address = r.Address.ToString(),
        Vlan = r.Vlan,
        Node = r.Node,
        Generation = generation,
        Owner = OwnerJson.From(r.Owner),
        Fixed = FixedJson.From(r.Fixed),
    }, FileStoreJsonContext.Default.ReservationJson);

    /// <summary>
    /// The reservation in a file. A file that does not decode (a crash between create and write) still holds its
    /// address: it comes back owner-less and unversioned, so it is never handed out and never freed by a DEL.
    /// </summary>
    public static Reservation Decode(byte[] bytes, string pool, IPAddress address)
    {
        ReservationJson? j = null;
        try
        {
            j = JsonSerializer.Deserialize(bytes, FileStoreJsonContext.Default.ReservationJson);
        }
        catch (JsonException)
        {
        }
        Owner? owner = null;
        FixedIdentity? fixedId = null;
        try
        {
            owner = j?.Owner?.ToOwner("owner");
            fixedId = j?.Fixed?.ToIdentity("fixed");
        }
        catch (FormatException)
        {
            j = null; // a holder or identity that cannot be read: the address stays held, as for a file that does not decode
        }
        if (j is null || j.Segment is null || j.Generation <= 0)
            return new Reservation { Pool = pool, Segment = "", Address = address };
        return new Reservation
        {
            Pool = pool,
            Segment = j.Segment,
            Address = address,
            Vlan = j.Vlan,
            Node = j.Node ?? "",
            Version = j.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Owner = owner,
            Fixed = fixedId,
        };
    }
}
