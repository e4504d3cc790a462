using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using Cdd.Native;

namespace Cdd.Ipam.Files;

/// <summary>
/// The embedded store for a node without Kubernetes: DATADIR/POOL/ADDRESS, one small JSON file per reservation,
/// like host-local. The pool's directory lock is held from <see cref="Open"/> to dispose, so one plugin run sees a
/// consistent pool; a claim is a whole file linked into place (link(2) refuses a taken name) and replaces are temp+rename, so even a writer that ignored the
/// lock could not take a held address or leave a half-written file in place of a good one.
/// </summary>
public sealed class FileReservationStore : IReservationStore, IDisposable
{
    const string LockName = "lock";
    const string CursorPrefix = "cursor.";
    const string ClaimPrefix = ".claim.";
    /// <summary>
    /// A reservation file that is empty or unreadable (a crash between create and write) is freed after this long:
    /// its writer held the pool lock we hold now, so it is not mid-write, and the grace covers a writer on a clock
    /// that disagrees or one that ignored the lock.
    /// </summary>
    public static readonly TimeSpan DefaultReclaimAfter = TimeSpan.FromSeconds(60);
    readonly TimeSpan _reclaimAfter;
    readonly TextWriter? _log;
    readonly string _pool;
    readonly string _dir;
    readonly FileLock _lock;

    FileReservationStore(string pool, string dir, FileLock held, TimeSpan reclaimAfter, TextWriter? log)
    {
        _pool = pool;
        _dir = dir;
        _lock = held;
        _reclaimAfter = reclaimAfter;
        _log = log;
    }

    /// <summary>The addresses whose empty or unreadable files this store freed (reported on stderr as ipam.reclaim).</summary>
    public List<IPAddress> Reclaimed { get; } = [];

    public static FileReservationStore Open(string dataDir, string pool, TimeSpan lockTimeout, TimeSpan? reclaimAfter = null, TextWriter? log = null)
    {
        if (!Config.Names.IsDnsLabel(pool)) throw new ArgumentException($"pool name \"{pool}\" cannot name a directory", nameof(pool));
        string dir = Path.Combine(dataDir, pool);
        try
        {
            Directory.CreateDirectory(dir);
            var store = new FileReservationStore(pool, dir, FileLock.Acquire(Path.Combine(dir, LockName), lockTimeout), reclaimAfter ?? DefaultReclaimAfter, log);
            store.SweepDeadClaims();
            return store;
        }
        catch (ErrnoException ex) when (ex.Errno == Errno.ETIMEDOUT)
        {
            throw new StoreUnavailableException($"pool {pool}: {dir} stayed locked by another allocation for {lockTimeout.TotalSeconds:0.#} s", ex);
        }
        catch (Exception ex) when (ex is ErrnoException or IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"pool {pool}: cannot open the file store at {dir}: {ex.Message}", ex);
        }
    }

    public Task<PoolSnapshot> SnapshotAsync(string pool, bool fresh, CancellationToken ct)
    {
        Check(pool);
        var reservations = new List<Reservation>();
        var cursors = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(_dir))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith(CursorPrefix, StringComparison.Ordinal))
            {
                if (IPAddress.TryParse(File.ReadAllText(path).Trim(), out var last)) cursors[name[CursorPrefix.Length..]] = last;
                continue;
            }
            if (!IPAddress.TryParse(name, out var address) || address.ToString() != name) continue; // the lock, temp files
            byte[]? bytes;
            try
            {
                bytes = ReadOrNull(path);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                bytes = [];
            }
            if (bytes is null) continue;
            var r = ReservationFile.Decode(bytes, pool, address);
            if (r.Version is null && TryReclaim(path, address, bytes.Length)) continue;
            reservations.Add(r);
        }
        // Read from disk under the pool lock: nothing can hide from it.
        return Task.FromResult(new PoolSnapshot(reservations, cursors) { Settled = true });
    }

    /// <summary>Frees a file that holds no readable reservation once it is older than the grace period.</summary>
    bool TryReclaim(string path, IPAddress address, int length)
    {
        DateTime written;
        try
        {
            written = File.GetLastWriteTimeUtc(path);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
        var age = DateTime.UtcNow - written;
        if (age < _reclaimAfter) return false;
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
        Reclaimed.Add(address);
        (_log ?? Console.Error).WriteLine(
            $"cdd-ipam event=ipam.reclaim pool={_pool} address={address} bytes={length} age_s={(long)age.TotalSeconds}: freed a reservation file that holds no readable reservation");
        return true;
    }

    public Task<Reservation?> TryClaimAsync(Reservation reservation, CancellationToken ct)
    {
        Check(reservation.Pool);
        string path = PathOf(reservation.Address);
        if (File.Exists(path)) return Task.FromResult<Reservation?>(null);
        // Written and synced under a private name, then linked into place (link(2) fails when the name exists, so the
        // kernel still decides who wins the address): a plugin killed at any point leaves either no reservation or a
        // whole one, never an empty file that holds the address until it is reclaimed.
        string temp = Path.Combine(_dir, $"{ClaimPrefix}{Environment.ProcessId}.{reservation.Address}");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(ReservationFile.Encode(reservation, 1));
                file.Flush(flushToDisk: true);
            }
            if (!HardLink.TryCreate(temp, path)) return Task.FromResult<Reservation?>(null);
        }
        finally
        {
            File.Delete(temp);
        }
        return Task.FromResult<Reservation?>(reservation with { Version = "1" });
    }

    /// <summary>
    /// Claim files of writers that died before linking them (we hold the pool lock, so no live writer of this pool
    /// is mid-claim, unless it ignored the lock: its file is then spared while its process lives).
    /// </summary>
    void SweepDeadClaims()
    {
        foreach (var path in Directory.EnumerateFiles(_dir, ClaimPrefix + "*"))
        {
            string rest = Path.GetFileName(path)[ClaimPrefix.Length..];
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && int.TryParse(rest[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}"))
                continue;
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // left for the next run: it holds no address
            }
        }
    }

    public Task<Reservation?> TryReplaceAsync(Reservation current, Reservation replacement, CancellationToken ct)
    {
        Check(current.Pool);
        if (!IsCurrent(current, out long generation)) return Task.FromResult<Reservation?>(null);
        string path = PathOf(current.Address);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(ReservationFile.Encode(replacement, generation + 1));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true); // rename(2): readers see the old file or the new one, never a mix
        return Task.FromResult<Reservation?>(replacement with { Version = (generation + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public Task<bool> TryReleaseAsync(Reservation current, CancellationToken ct)
    {
        Check(current.Pool);
        if (!IsCurrent(current, out _)) return Task.FromResult(false);
        File.Delete(PathOf(current.Address));
        return Task.FromResult(true);
    }

    public Task SetCursorAsync(string pool, string segment, IPAddress address, CancellationToken ct)
    {
        Check(pool);
        string path = Path.Combine(_dir, CursorPrefix + segment);
        File.WriteAllText(path + ".tmp", address.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
        return Task.CompletedTask;
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>Same generation and same owner as the caller read: otherwise someone else has it now.</summary>
    bool IsCurrent(Reservation expected, out long generation)
    {
        generation = 0;
        if (expected.Version is null || ReadOrNull(PathOf(expected.Address)) is not { } bytes) return false;
        var now = ReservationFile.Decode(bytes, _pool, expected.Address);
        if (now.Version != expected.Version || now.Owner != expected.Owner) return false;
        generation = long.Parse(now.Version, System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    static byte[]? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    string PathOf(IPAddress address) => Path.Combine(_dir, address.ToString());

    void Check(string pool)
    {
        if (pool != _pool) throw new ArgumentException($"this store holds pool {_pool}, not {pool}", nameof(pool));
    }
}
