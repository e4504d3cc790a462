using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cdd.Csi.San.Node;

/// <summary>One JSON file per staged volume in a node-local folder (a hostPath), written by write-fsync-rename.</summary>
internal sealed class StageStore(string dir)
{
    string File(string volumeId) => Path.Combine(dir, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(volumeId))) + ".json");

    public StageRecord? Load(string volumeId)
    {
        string f = File(volumeId);
        return System.IO.File.Exists(f) ? JsonSerializer.Deserialize(System.IO.File.ReadAllText(f), StageJson.Default.StageRecord) : null;
    }

    public IReadOnlyList<StageRecord> All()
    {
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "*.json").Select(f => JsonSerializer.Deserialize(System.IO.File.ReadAllText(f), StageJson.Default.StageRecord))
            .OfType<StageRecord>().ToList();
    }

    public void Save(StageRecord record)
    {
        Directory.CreateDirectory(dir);
        string f = File(record.VolumeId), tmp = f + ".tmp";
        using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, StageJson.Default.StageRecord)));
            s.Flush(flushToDisk: true);
        }
        System.IO.File.Move(tmp, f, overwrite: true);
    }

    public void Delete(string volumeId) => System.IO.File.Delete(File(volumeId));
}
