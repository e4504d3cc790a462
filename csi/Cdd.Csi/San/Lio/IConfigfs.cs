namespace Cdd.Csi.San.Lio;

/// <summary>
/// The configfs operations LIO is driven with, one to one with the syscalls (mkdir, rmdir, read and write of an attribute,
/// symlink, readlink, unlink), on paths relative to the configfs root. <see cref="Configfs"/> is the real tree.
/// </summary>
internal interface IConfigfs
{
    bool Exists(string path);

    /// <summary>mkdir of one level; an existing directory is fine.</summary>
    void MakeDir(string path);

    /// <summary>rmdir; an absent directory is fine. configfs removes a group's attributes with it.</summary>
    void RemoveDir(string path);

    string Read(string path);

    /// <summary>One write(2) of the value to an existing attribute.</summary>
    void Write(string path, string value);

    /// <summary>A symlink at <paramref name="link"/> to <paramref name="target"/> (both relative to the root).</summary>
    void Link(string link, string target);

    void Unlink(string link);

    /// <summary>Names of the subdirectories of a group (attributes and links left out).</summary>
    IReadOnlyList<string> Groups(string path);

    /// <summary>The symlinks in a group: name and target (as the kernel reports it: a relative path ending in the target's name).</summary>
    IReadOnlyList<(string Name, string Target)> Links(string path);
}
