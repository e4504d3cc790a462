using System.Text;

namespace Cdd.Vm;

/// <summary>Writes a cpio archive in the "newc" format, the one the kernel unpacks as an initramfs.</summary>
public sealed class CpioWriter : IDisposable
{
    const uint Directory = 0x4000, Regular = 0x8000, Symlink = 0xA000;
    readonly Stream _out;
    uint _ino = 1;

    public CpioWriter(Stream output) => _out = output;

    public void AddDirectory(string path, uint mode = 0x1ED) => Entry(path, Directory | mode, []);

    public void AddFile(string path, byte[] data, uint mode = 0x1A4) => Entry(path, Regular | mode, data);

    public void AddSymlink(string path, string target) => Entry(path, Symlink | 0x1FF, Encoding.UTF8.GetBytes(target));

    public void Dispose()
    {
        Entry("TRAILER!!!", 0, []);
        _out.Flush();
    }

    void Entry(string path, uint mode, byte[] data)
    {
        byte[] name = Encoding.UTF8.GetBytes(path.TrimStart('/') + "\0");
        uint nlink = (mode & 0xF000) == Directory ? 2u : 1u;
        // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
        var header = new StringBuilder("070701");
        foreach (uint field in new[] { _ino++, mode, 0u, 0u, nlink, 0u, (uint)data.Length, 0u, 0u, 0u, 0u, (uint)name.Length, 0u })
            header.Append(field.ToString("X8"));
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(name);
        Pad();
        Write(data);
        Pad();
    }

    long _written;

    void Write(byte[] bytes)
    {
        _out.Write(bytes);
        _written += bytes.Length;
    }

    void Pad()
    {
        while (_written % 4 != 0) Write([0]);
    }
}
