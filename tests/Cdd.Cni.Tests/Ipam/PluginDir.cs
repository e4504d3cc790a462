using System.Text;
using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Ipam;

/// <summary>A temp directory that serves as CNI_PATH for fake plugins (shell scripts) and as their record folder.</summary>
internal sealed class PluginDir : IDisposable
{
    public string Bin { get; }
    public string Records { get; }
    private readonly string _root;

    public PluginDir()
    {
        _root = Directory.CreateTempSubdirectory("cdd-cni-ipam-").FullName;
        Bin = Directory.CreateDirectory(Path.Join(_root, "bin")).FullName;
        Records = Directory.CreateDirectory(Path.Join(_root, "rec")).FullName;
    }

    public string Add(string name, string body, bool executable = true)
    {
        string path = Path.Join(Bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n"));
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("CNI plugins are Linux executables");
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public string Record(string name) => File.ReadAllText(Path.Join(Records, name));
    public bool HasRecord(string name) => File.Exists(Path.Join(Records, name));

    public CniContext Context(string verb, string config, IIpam ipam, string? cniPath = null)
    {
        var env = TestEnv.For(verb, cniPath ?? Bin).With("REC", Records);
        byte[] raw = Encoding.UTF8.GetBytes(config);
        var cniEnv = CniEnvironment.Parse(env);
        return new CniContext
        {
            Env = cniEnv,
            Config = NetConfParser.Parse(raw, cniEnv.Command),
            RawConfig = raw,
            Ipam = ipam,
            StateDir = Path.Join(_root, "state"),
        };
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
