using System.Reflection;

namespace Cdd.Testing.Tests.Tiers;

/// <summary>Finds xunit test classes by reflection and reads the tier traits they carry.</summary>
static class TestClassTiers
{
    const BindingFlags AllMethods = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>Classes xunit would run: concrete, with a [Fact] (or [Theory], or anything derived) of their own or inherited.</summary>
    public static IEnumerable<Type> TestClasses(Assembly assembly, string factAttribute = "Xunit.FactAttribute") =>
        assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && t.GetMethods(AllMethods).Any(m => IsTest(m, factAttribute)));

    /// <summary>The tier traits written on the class itself, [Tier(...)] or a plain [Trait("tier", ...)], as the filter sees them.</summary>
    public static IReadOnlyList<string> Tiers(Type testClass) =>
        testClass.GetCustomAttributesData().Select(TierOf).OfType<string>().ToList();

    static bool IsTest(MethodInfo m, string factAttribute) => m.GetCustomAttributesData().Any(a => DerivesFrom(a.AttributeType, factAttribute));

    static string? TierOf(CustomAttributeData a) => a.AttributeType.FullName switch
    {
        // The enum argument arrives as its underlying number; the trait is its lower-case name, as TierDiscoverer makes it.
        "Cdd.Testing.TierAttribute" => Enum.GetName(a.ConstructorArguments[0].ArgumentType, a.ConstructorArguments[0].Value!)?.ToLowerInvariant(),
        "Xunit.TraitAttribute" when a.ConstructorArguments[0].Value is TierAttribute.TraitName => a.ConstructorArguments[1].Value as string,
        _ => null,
    };

    static bool DerivesFrom(Type? t, string fullName)
    {
        for (; t is not null; t = t.BaseType)
            if (t.FullName == fullName) return true;
        return false;
    }
}
