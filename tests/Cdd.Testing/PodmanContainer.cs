namespace Cdd.Testing;

/// <summary>A container podman started: its CNI container ID, init PID and the network namespace podman made for it.</summary>
public sealed record PodmanContainer(string Name, string Id, int Pid, string SandboxKey);
