namespace Cdd.Csi;

/// <summary>"--name value" and "--name=value" pairs; anything else is an error.</summary>
internal static class ArgsParser
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {a}");
            int eq = a.IndexOf('=');
            if (eq > 0) flags[a[2..eq]] = a[(eq + 1)..];
            else if (i + 1 < args.Length) flags[a[2..]] = args[++i];
            else throw new ArgumentException($"{a} needs a value");
        }
        return flags;
    }
}
