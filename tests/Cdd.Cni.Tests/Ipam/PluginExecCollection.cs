namespace Cdd.Cni.Tests.Ipam;

/// <summary>
/// Tests that write a script and exec it run alone: a fork from a parallel test can inherit the script's write
/// descriptor for a moment and make exec fail with ETXTBSY.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PluginExecCollection
{
    public const string Name = "plugin exec";
}
