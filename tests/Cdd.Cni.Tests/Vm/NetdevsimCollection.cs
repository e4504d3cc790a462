namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// The test classes that share one <see cref="NetdevsimGuest"/>: one boot for all of them, and they run one after the
/// other, so no two tests touch the PF at once. Each test starts with <see cref="NetdevsimGuest.ResetPf"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NetdevsimCollection : ICollectionFixture<NetdevsimGuest>
{
    public const string Name = "netdevsim guest";
}
