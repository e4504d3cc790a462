namespace Cdd.Testing;

/// <summary>
/// What a test class needs to run; `./build.sh test TIER` filters on it (trait `tier`).
/// Every test class carries exactly one (a unit test in Cdd.Testing.Tests checks every test assembly).
/// </summary>
public enum Tier
{
    /// <summary>Pure logic, any user: no root, no QEMU, no database.</summary>
    Unit,

    /// <summary>Needs euid 0: network namespaces, veth, macvlan, vxlan, bridges, podman, loop devices, mounts, a private mariadbd.</summary>
    Root,

    /// <summary>Boots Debian's stock kernel under QEMU (tests/vm); root too.</summary>
    Vm,

    /// <summary>Real MySQL Group Replication members from the sid root folder (MYSQL-NOTES.md).</summary>
    Mgr,
}
