namespace Cdd.Operator.Tests.Mgr;

/// <summary>All MGR test classes run one after another: one group of three mysqld at a time on a shared machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MgrCollection
{
    public const string Name = "mgr";
}
