namespace Cdd.Ipamd.Requests;

/// <summary>
/// The attachments this agent knows to exist on its node: the ones it answered an ADD for, the ones the runtime listed
/// as valid in a CNI GC, and (seeded at start-up) the ones whose reservations were there before this agent started. A
/// reservation of this node whose attachment is in none of these was claimed for a client that never got the answer.
/// </summary>
internal sealed class AttachmentRecord
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), byte> _known = new();

    public void Know(string containerId, string ifName) => _known[(containerId, ifName)] = 0;

    public void Forget(string containerId, string ifName) => _known.TryRemove((containerId, ifName), out _);

    public bool Knows(string containerId, string ifName) => _known.ContainsKey((containerId, ifName));

    public int Count => _known.Count;
}
