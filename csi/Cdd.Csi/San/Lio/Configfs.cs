namespace Cdd.Csi.San.Lio;

/// <summary>The real configfs tree under a root (normally /sys/kernel/config); an attribute is written with one write(2).</summary>
internal sealed class Configfs(string root) : IConfigfs
{
    string Full(string path) => Path.Combine(root, path);

    public bool Exists(string path) => Path.Exists(Full(path));

    public void MakeDir(string path)
    {
        // One level only: Directory.CreateDirectory would make missing parents, which in configfs means objects nobody asked for.
        string full = Full(path);
        if (Directory.Exists(full)) return;
        if (!Directory.Exists(Path.GetDirectoryName(full))) throw new IOException($"configfs: {Path.GetDirectoryName(path)} does not exist (is the module loaded?)");
        Directory.CreateDirectory(full);
    }

    public void RemoveDir(string path)
    {
        string full = Full(path);
        if (Directory.Exists(full)) Directory.Delete(full, recursive: false);
    }

    public string Read(string path) => File.ReadAllText(Full(path));

    public void Write(string path, string value)
    {
        using var f = new FileStream(Full(path), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        f.Write(System.Text.Encoding.ASCII.GetBytes(value));
    }

    public void Link(string link, string target) => File.CreateSymbolicLink(Full(link), Full(target));

    public void Unlink(string link)
    {
        string full = Full(link);
        if (new FileInfo(full).LinkTarget is not null) File.Delete(full);
    }

    public IReadOnlyList<string> Groups(string path)
    {
        string full = Full(path);
        if (!Directory.Exists(full)) return [];
        return new DirectoryInfo(full).EnumerateDirectories().Where(d => d.LinkTarget is null).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<(string Name, string Target)> Links(string path)
    {
        string full = Full(path);
        if (!Directory.Exists(full)) return [];
        return new DirectoryInfo(full).EnumerateFileSystemInfos().Where(i => i.LinkTarget is not null)
            .Select(i => (i.Name, i.LinkTarget!)).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
    }
}
