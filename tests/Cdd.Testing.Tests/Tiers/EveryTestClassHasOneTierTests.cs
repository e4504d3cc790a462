namespace Cdd.Testing.Tests.Tiers;

// `./build.sh test unit` filters on the tier trait: an untagged class would silently run in no tier at all.
[Tier(Tier.Unit)]
public sealed class EveryTestClassHasOneTierTests
{
    public static TheoryData<string> TestProjects()
    {
        var data = new TheoryData<string>();
        foreach (var csproj in Directory.GetFiles(Path.Combine(RepoRoot.Path, "tests"), "*.Tests.csproj", SearchOption.AllDirectories).Order())
            data.Add(Path.GetFileNameWithoutExtension(csproj));
        return data;
    }

    [Theory]
    [MemberData(nameof(TestProjects))]
    public void Every_test_class_carries_exactly_one_tier(string project)
    {
        string dll = BuiltAssembly(project);
        var context = new TestAssemblyContext(dll);
        try
        {
            var classes = TestClassTiers.TestClasses(context.LoadTests()).ToList();
            Assert.NotEmpty(classes);
            var wrong = classes.Select(c => (c.FullName, Tiers: TestClassTiers.Tiers(c))).Where(c => c.Tiers.Count != 1)
                .Select(c => $"{c.FullName}: {(c.Tiers.Count == 0 ? "no tier" : string.Join(", ", c.Tiers))}").ToList();
            Assert.True(wrong.Count == 0, $"{project}: every test class needs exactly one [Tier(...)] line above it:\n{string.Join('\n', wrong)}");
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void The_check_sees_a_class_without_a_tier_and_one_with_two()
    {
        // The samples mark their methods with a look-alike of [Fact], so xunit (and the real check) leave them alone.
        var classes = TestClassTiers.TestClasses(typeof(Samples).Assembly, typeof(Samples.SampleFactAttribute).FullName!).ToList();
        Assert.Equal([typeof(Samples.Derived), typeof(Samples.Twice), typeof(Samples.Untagged)], classes.OrderBy(c => c.Name));
        Assert.Equal(["unit"], TestClassTiers.Tiers(typeof(Samples.Derived)));
        Assert.Empty(TestClassTiers.Tiers(typeof(Samples.Untagged)));
        Assert.Equal(["root", "vm"], TestClassTiers.Tiers(typeof(Samples.Twice)).Order(StringComparer.Ordinal));
        Assert.Equal(["unit"], TestClassTiers.Tiers(typeof(EveryTestClassHasOneTierTests)));
    }

    // This project's own output folder names the configuration and runtime the others were built with.
    static string BuiltAssembly(string project)
    {
        string self = AppContext.BaseDirectory.TrimEnd('/');
        string tail = Path.GetRelativePath(Path.Combine(RepoRoot.Path, "tests", "Cdd.Testing.Tests"), self);
        string dll = Directory.GetFiles(Path.Combine(RepoRoot.Path, "tests"), project + ".csproj", SearchOption.AllDirectories)
            .Select(p => Path.Combine(Path.GetDirectoryName(p)!, tail, project + ".dll")).Single();
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (./build.sh test builds it)");
        return dll;
    }
}
