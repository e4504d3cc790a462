using System.Runtime.InteropServices;

namespace Cdd.Native;

/// <summary>
/// link(2): gives an existing file a second name, failing when the name is taken. A file written and synced under a
/// private name and then linked into place appears whole or not at all, which O_CREAT|O_EXCL followed by a write
/// cannot promise (a writer killed between the two leaves an empty file under the taken name).
/// </summary>
public static partial class HardLink
{
    /// <returns>False when <paramref name="name"/> already exists (someone else holds it).</returns>
    public static bool TryCreate(string existing, string name)
    {
        if (link(existing, name) == 0) return true;
        var err = (Errno)Marshal.GetLastPInvokeError();
        if (err == Errno.EEXIST) return false;
        throw new ErrnoException(err, "link", $"{existing} -> {name}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);
}
