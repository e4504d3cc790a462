using Xunit.Sdk;

namespace Cdd.Testing;

/// <summary>The one tier of a test class, as the xunit trait <c>tier=unit|root|vm|mgr</c>.</summary>
[TraitDiscoverer("Cdd.Testing.TierDiscoverer", "Cdd.Testing")]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TierAttribute(Tier tier) : Attribute, ITraitAttribute
{
    public const string TraitName = "tier";

    public Tier Tier { get; } = tier;

    /// <summary>The trait value the filter sees: `./build.sh test root` runs `--filter tier=root`.</summary>
    public static string TraitValue(Tier tier) => tier.ToString().ToLowerInvariant();
}
