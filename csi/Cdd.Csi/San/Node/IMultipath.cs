namespace Cdd.Csi.San.Node;

/// <summary>multipath-tools and the dm calls around a map, one method per invocation (<see cref="Multipath"/>).</summary>
internal interface IMultipath
{
    /// <summary>
    /// `multipathd add path NAME` (what udev's rule does on a new path: multipathd builds the map and then watches the path);
    /// where multipathd is not running, `multipath /dev/NAME` builds the map once.
    /// </summary>
    Task AddAsync(string block);

    /// <summary>
    /// `multipathd del path NAME` (what udev's rule does when a path goes): multipathd forgets the path before its SCSI device
    /// is deleted. Without it, a daemon that hears no uevents keeps the path with its old WWID, and the next device that
    /// gets the same name is put into a map under the old volume's identity. A path it does not know is no error.
    /// </summary>
    Task ForgetPathAsync(string block);

    /// <summary>`multipath -f MAP`: false when the map is busy (in use), so the caller retries.</summary>
    Task<bool> FlushAsync(string map);

    /// <summary>
    /// `multipathd resize map MAP` after the paths were rescanned; where the daemon refuses, the map's table reloaded at
    /// <paramref name="sizeBytes"/> (`dmsetup table`, `reload`, `resume`).
    /// </summary>
    Task ResizeAsync(string map, long sizeBytes);

    /// <summary>`dmsetup status MAP`: the major:minor of each path the kernel marks failed.</summary>
    Task<IReadOnlyList<string>> FailedPathsAsync(string map);

    /// <summary>`dmsetup remove MAP`: a map left without paths (the caller has checked its UUID).</summary>
    Task RemoveAsync(string map);

    /// <summary>`blockdev --flushbufs DEVICE`.</summary>
    Task FlushBuffersAsync(string devicePath);
}
