namespace Cdd.Deploy.Tests;

/// <summary>Asserting a check found nothing, with every problem in the failure message (one a line).</summary>
internal static class Problems
{
    public static void AssertNone(IReadOnlyCollection<string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join("\n", problems));
}
