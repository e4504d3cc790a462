using Xunit.Abstractions;
using Xunit.Sdk;

namespace Cdd.Testing;

/// <summary>Turns <see cref="TierAttribute"/> into the trait xunit reports and `dotnet test --filter` matches.</summary>
public sealed class TierDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        // xunit hands over the constructor arguments as written, here the enum value.
        var tier = (Tier)traitAttribute.GetConstructorArguments().Single()!;
        yield return new(TierAttribute.TraitName, TierAttribute.TraitValue(tier));
    }
}
