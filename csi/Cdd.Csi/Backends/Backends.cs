using Cdd.Csi.Errors;

namespace Cdd.Csi.Backends;

/// <summary>
/// The backends this instance serves, found by name (the StorageClass's <c>backend</c> parameter, absent: lvm) or by the
/// volume ID's shape. The node DaemonSet serves the LVM controller for its own VGs; `cdd-csi --controller` serves SAN.
/// </summary>
internal sealed class Backends(IEnumerable<IBackend> controllers, IEnumerable<INodeBackend> nodes)
{
    public const string Key = "backend";
    public const string Lvm = "lvm", San = "san";
    public static readonly string[] Known = [Lvm, San];

    readonly IReadOnlyList<IBackend> _controllers = controllers.ToList();
    readonly IReadOnlyList<INodeBackend> _nodes = nodes.ToList();

    public IReadOnlyList<IBackend> Controllers => _controllers;

    public IReadOnlyList<INodeBackend> Nodes => _nodes;

    /// <summary>The StorageClass's backend: INVALID_ARGUMENT naming `backend` when unknown or not served by this instance.</summary>
    public IBackend ForParameters(IReadOnlyDictionary<string, string> parameters)
    {
        string name = parameters.TryGetValue(Key, out var b) && b.Length > 0 ? b : Lvm;
        if (!Known.Contains(name)) throw CsiException.Invalid($"parameter {Key} \"{name}\" is unknown; known: {string.Join(", ", Known)}");
        return _controllers.FirstOrDefault(c => c.Name == name)
            ?? throw CsiException.Invalid($"parameter {Key} \"{name}\" is not served by this instance (serves: {string.Join(", ", _controllers.Select(c => c.Name))})");
    }

    public IBackend? ForVolume(string volumeId) => _controllers.FirstOrDefault(c => c.Owns(volumeId));

    public INodeBackend? NodeForVolume(string volumeId) => _nodes.FirstOrDefault(n => n.Owns(volumeId));
}
