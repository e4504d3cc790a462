using System.Reflection;
using System.Runtime.Loader;

namespace Cdd.Testing.Tests.Tiers;

/// <summary>
/// Loads one built test assembly with the dependencies from its own output folder (its deps.json), apart from this
/// test's own, so every test project can be inspected from here without referencing it. Types are compared by name.
/// </summary>
sealed class TestAssemblyContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileName(assemblyPath), isCollectible: true)
{
    readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    public Assembly LoadTests() => LoadFromAssemblyPath(assemblyPath);

    // Framework assemblies resolve to null here and come from the default context.
    protected override Assembly? Load(AssemblyName name) =>
        _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
}
