namespace Cdd.Testing;

/// <summary>
/// A named network namespace for one test (/var/run/netns/NAME), made with iproute2 so the
/// code under test is checked against an independent tool. Deleted on dispose, which also
/// destroys every link inside it.
/// </summary>
public sealed class TestNetns : IDisposable
{
    public TestNetns(string prefix = "cddt")
    {
        Root.Require();
        Name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        Ip.Run("netns", "add", Name);
        Ip.Run("-n", Name, "link", "set", "lo", "up");
    }

    public string Name { get; }
    public string Path => $"/var/run/netns/{Name}";

    /// <summary>Runs `ip` inside this namespace.</summary>
    public string Ip_(params string[] args) => Ip.Run(["-n", Name, .. args]);

    public bool Exists => File.Exists(Path);

    public void Dispose()
    {
        if (Exists) Exec.Run("ip", "netns", "del", Name);
    }
}
