using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Cdd.Ipamd;

/// <summary>
/// The agent's metrics in the Prometheus text exposition format (version 0.0.4): labelled counters, gauges and one
/// histogram family. Small on purpose: these few series are all the agent has, and one instance per agent keeps
/// tests that run several agents in one process apart.
/// </summary>
internal sealed class AgentMetrics
{
    readonly List<Family> _families = [];

    public AgentMetrics()
    {
        Requests = Add(new Family("cdd_ipamd_requests_total", "Plugin requests by verb and outcome (ok or the CNI error code).", "counter", ["verb", "result"]));
        Latency = Add(new HistogramFamily("cdd_ipamd_request_duration_seconds", "Time from a request's arrival to its answer, by verb.", ["verb"],
            [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]));
        Allocations = Add(new Family("cdd_ipamd_allocations_total", "Addresses handed out (a retried ADD of the same attachment counts again).", "counter", ["pool"]));
        Conflicts = Add(new Family("cdd_ipamd_allocation_conflicts_total", "Claims lost to another writer and retried with the next candidate.", "counter", ["pool"]));
        Releases = Add(new Family("cdd_ipamd_releases_total", "Reservations released or detached, by why: del, gc (CNI GC), leak (pod gone).", "counter", ["pool", "reason"]));
        PoolAddresses = Add(new Family("cdd_ipamd_pool_addresses", "Addresses per pool segment and state (allocated, free), as last counted.", "gauge", ["pool", "segment", "state"]));
    }

    public Family Requests { get; }
    public HistogramFamily Latency { get; }
    public Family Allocations { get; }
    public Family Conflicts { get; }
    public Family Releases { get; }
    public Family PoolAddresses { get; }

    T Add<T>(T f) where T : Family
    {
        _families.Add(f);
        return f;
    }

    public string Export()
    {
        var sb = new StringBuilder();
        foreach (var f in _families) f.Write(sb);
        return sb.ToString();
    }

    /// <summary>A metric family of counters or gauges, one value per label set.</summary>
    internal class Family(string name, string help, string type, string[] labels)
    {
        readonly ConcurrentDictionary<string, double[]> _values = new(StringComparer.Ordinal);
        protected string Name => name;
        protected string Help => help;
        protected string[] Labels => labels;

        public Series WithLabels(params string[] values)
        {
            if (values.Length != labels.Length) throw new ArgumentException($"{name} takes {labels.Length} labels");
            return new Series(_values.GetOrAdd(LabelText(labels, values), _ => new double[1]));
        }

        protected static string LabelText(string[] names, string[] values) =>
            string.Join(",", names.Zip(values, (n, v) => $"{n}=\"{Escape(v)}\""));

        static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        internal virtual void Write(StringBuilder sb)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labelText, v) in _values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append(name).Append('{').Append(labelText).Append("} ").Append(Number(Volatile.Read(ref v[0]))).Append('\n');
        }

        protected static string Number(double d) => d.ToString("R", CultureInfo.InvariantCulture);
    }

    internal readonly struct Series(double[] cell)
    {
        public void Inc(double by = 1)
        {
            double seen, next;
            do
            {
                seen = Volatile.Read(ref cell[0]);
                next = seen + by;
            }
            while (Interlocked.CompareExchange(ref cell[0], next, seen) != seen);
        }

        public void Set(double value) => Volatile.Write(ref cell[0], value);
        public double Value => Volatile.Read(ref cell[0]);
    }

    /// <summary>A histogram family: cumulative buckets, sum and count per label set.</summary>
    internal sealed class HistogramFamily(string name, string help, string[] labels, double[] buckets) : Family(name, help, "histogram", labels)
    {
        readonly ConcurrentDictionary<string, Cells> _cells = new(StringComparer.Ordinal);

        sealed class Cells(int n)
        {
            public readonly long[] Buckets = new long[n];
            public long Count;
            public double Sum;
        }

        public void Observe(string label, double seconds)
        {
            var c = _cells.GetOrAdd(LabelText(Labels, [label]), _ => new Cells(buckets.Length));
            for (int i = 0; i < buckets.Length; i++)
                if (seconds <= buckets[i]) Interlocked.Increment(ref c.Buckets[i]);
            Interlocked.Increment(ref c.Count);
            lock (c) c.Sum += seconds;
        }

        internal override void Write(StringBuilder sb)
        {
            sb.Append("# HELP ").Append(Name).Append(' ').Append(Help).Append('\n');
            sb.Append("# TYPE ").Append(Name).Append(" histogram\n");
            foreach (var (labelText, c) in _cells.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                for (int i = 0; i < buckets.Length; i++)
                    sb.Append(Name).Append("_bucket{").Append(labelText).Append(",le=\"").Append(Number(buckets[i])).Append("\"} ").Append(Interlocked.Read(ref c.Buckets[i])).Append('\n');
                long count = Interlocked.Read(ref c.Count);
                sb.Append(Name).Append("_bucket{").Append(labelText).Append(",le=\"+Inf\"} ").Append(count).Append('\n');
                double sum;
                lock (c) sum = c.Sum;
                sb.Append(Name).Append("_sum{").Append(labelText).Append("} ").Append(Number(sum)).Append('\n');
                sb.Append(Name).Append("_count{").Append(labelText).Append("} ").Append(count).Append('\n');
            }
        }
    }
}
