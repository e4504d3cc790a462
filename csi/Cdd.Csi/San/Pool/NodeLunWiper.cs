using Cdd.Csi.Backends;
using Cdd.Csi.San.Node;

namespace Cdd.Csi.San.Pool;

/// <summary>
/// Wipes a pool LUN from the controller's own host (the admins map pool LUNs to every host): attached with the node side's
/// checks (every path's serial, the map's UUID and size), so the zeros land on exactly that LUN; detached after.
/// </summary>
internal sealed class NodeLunWiper(SanNode node) : ILunWiper
{
    const int MiB = 1 << 20;

    public async Task WipeAsync(PublishContext lun, long sizeBytes)
    {
        string id = new SanVolumeId(SanVolumeId.Pool, lun.Wwid).ToString();
        string device = await node.AttachAsync(new AttachRequest(id, lun.ToMap(), new Dictionary<string, string>(), new Dictionary<string, string>()));
        try
        {
            var zeros = new byte[MiB];
            await using var f = new FileStream(device, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            await f.WriteAsync(zeros);
            if (sizeBytes >= 2 * MiB)
            {
                f.Position = sizeBytes - MiB;
                await f.WriteAsync(zeros);
            }
            f.Flush(flushToDisk: true);
        }
        finally
        {
            await node.DetachAsync(id);
        }
    }
}
