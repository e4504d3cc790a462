namespace Cdd.Native.Namespaces;

/// <summary>The path opened, but what it names is no network namespace (a FIFO, a plain file, a mount namespace...).</summary>
public sealed class NotANetworkNamespaceException(string path, string found)
    : ErrnoException(Errno.EINVAL, "open network namespace", $"{path} is {found}, not a network namespace")
{
    public string Path { get; } = path;

    /// <summary>What the path is instead, in words ("a FIFO", "a regular file", "a mnt namespace").</summary>
    public string Found { get; } = found;
}
