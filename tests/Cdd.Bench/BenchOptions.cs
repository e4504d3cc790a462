namespace Cdd.Bench;

/// <summary>Command line: --pods N (pods for ADD/DEL, default 200), --runs N (start-up runs per binary, default 200).</summary>
public sealed record BenchOptions(int Pods, int Runs)
{
    public static BenchOptions Parse(string[] args)
    {
        int pods = 200, runs = 200;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pods": pods = Positive(args, ++i); break;
                case "--runs": runs = Positive(args, ++i); break;
                case "-h" or "--help":
                    throw new ArgumentException("usage: Cdd.Bench [--pods N] [--runs N]");
                default: throw new ArgumentException($"unknown argument {args[i]}; usage: Cdd.Bench [--pods N] [--runs N]");
            }
        }
        return new BenchOptions(pods, runs);
    }

    static int Positive(string[] args, int i) =>
        i < args.Length && int.TryParse(args[i], out int n) && n is > 0 and <= 60_000
            ? n
            : throw new ArgumentException($"{args[i - 1]} takes a number from 1 to 60000");
}
