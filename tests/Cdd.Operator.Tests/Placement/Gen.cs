using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

/// <summary>Seeded generators: every property runs over many seeds, and a failure names its seed so it can be replayed.</summary>
internal sealed class Gen(int seed)
{
    public const long Gi = 1L << 30;
    public static readonly string[] Classes = ["local-lvm", "san-gold", "s2d"];
    public static readonly string[] ZoneNames = ["a", "b", "c"];
    private readonly Random _r = new(seed);

    public int Int(int min, int maxInclusive) => _r.Next(min, maxInclusive + 1);
    public double Double(double min, double max) => min + _r.NextDouble() * (max - min);
    public bool Chance(double p) => _r.NextDouble() < p;
    public T Pick<T>(IReadOnlyList<T> xs) => xs[_r.Next(xs.Count)];

    public List<NodeInventory> Nodes(int min = 3, int max = 30)
    {
        int count = Int(min, max);
        var nodes = new List<NodeInventory>();
        for (int i = 0; i < count; i++)
        {
            long cpu = Int(8, 64) * 1000L;
            long mem = Int(32, 512) * Gi;
            var storage = Classes.Where(_ => Chance(0.7)).Select(c => new StorageCapacity(c, Int(0, 4096) * Gi)).ToList();
            nodes.Add(new NodeInventory(
                $"node-{i:D3}", Pick(ZoneNames), cpu, mem,
                Chance(0.3) ? (long)(cpu * Double(0, 1.6)) : 0,
                Chance(0.3) ? (long)(mem * Double(0, 0.9)) : 0,
                new NodeNetwork(Int(0, 8), Chance(0.7), Chance(0.9)),
                storage,
                Chance(0.7) ? new Pressure(Double(0, 0.8), Double(0, 0.8), Double(0, 0.7), Double(0, 0.8))
                            : new Pressure(Double(0, 1), Double(0, 1), Double(0, 1), Double(0, 1))));
        }
        return nodes;
    }

    public ClusterRequest Request(string name, double ceiling, bool randomBreakers = true) => new(
        name,
        Pick(new[] { 1, 3, 3, 3, 5, 5, 7, 9 }),
        Pick(Enum.GetValues<NetworkMode>()),
        Pick(Classes),
        Int(50, 500) * Gi,
        Int(1, 8) * 1000L,
        Int(4, 64) * Gi,
        Chance(0.6) ? [] : ZoneNames.Where(_ => Chance(0.7)).DefaultIfEmpty("a").ToArray(),
        ceiling,
        randomBreakers && Chance(0.5)
            ? new BreakerThresholds(Double(0.5, 1), Double(0.5, 1), Double(0.5, 1), Double(0.5, 1))
            : BreakerThresholds.Default);

    public double Ceiling() => Pick(new[] { 0.8, 1.0, 1.25, 1.5, 2.0 });
}
