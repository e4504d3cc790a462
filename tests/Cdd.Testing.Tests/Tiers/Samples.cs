namespace Cdd.Testing.Tests.Tiers;

/// <summary>Classes shaped like test classes for the tier check's own test; their methods are never run.</summary>
static class Samples
{
    [AttributeUsage(AttributeTargets.Method)]
    public class SampleFactAttribute : Attribute;

    public sealed class DerivedSampleFactAttribute : SampleFactAttribute;

    public sealed class Untagged
    {
        [SampleFact] public void Test() { }
    }

    [Tier(Tier.Root)]
    [Trait("tier", "vm")]
    public sealed class Twice
    {
        [DerivedSampleFact] public void Test() { }
    }

    // Not a test class itself (xunit runs no abstract class); the one deriving from it is, with the inherited test.
    public abstract class AbstractBase
    {
        [SampleFact] public void Test() { }
    }

    [Tier(Tier.Unit)]
    public sealed class Derived : AbstractBase;
}
