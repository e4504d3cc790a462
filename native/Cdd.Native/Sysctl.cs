using System.Text;
using static Tmds.Linux.LibC;

namespace Cdd.Native;

/// <summary>
/// Writes kernel settings under /proc/sys (the root is injectable for tests). The net.* tree
/// belongs to the network namespace of the thread that opens the file, so call it from inside
/// <see cref="Namespaces.NetNs.Run{T}"/> to change a pod's settings.
/// </summary>
public sealed unsafe class Sysctl(string root = "/proc/sys")
{
    public string Root { get; } = root;

    /// <summary>Per-interface IPv4/IPv6 setting, e.g. ("ipv4", "eth0", "arp_notify").</summary>
    public void SetInterface(string family, string ifName, string setting, string value) =>
        Write($"net/{family}/conf/{ifName}/{setting}", value);

    public void Write(string relativePath, string value)
    {
        if (relativePath.Contains("..")) throw new ArgumentException($"sysctl path {relativePath} leaves {Root}", nameof(relativePath));
        string path = Path.Join(Root, relativePath);
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = bytes) fd = open(p, O_WRONLY | O_CLOEXEC | O_TRUNC, 0);
        if (fd < 0) throw ErrnoException.FromLast("open sysctl", path);
        try
        {
            var data = Encoding.ASCII.GetBytes(value);
            fixed (byte* d = data)
                if (write(fd, d, (Tmds.Linux.size_t)data.Length) < 0) throw ErrnoException.FromLast($"write {value} to sysctl", path);
        }
        finally
        {
            _ = close(fd);
        }
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Join(Root, relativePath)).Trim();
}
