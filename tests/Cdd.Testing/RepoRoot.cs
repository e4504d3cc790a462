namespace Cdd.Testing;

/// <summary>The checkout a test or bench binary was built from: the first folder above it holding CddPlugins.sln.</summary>
public static class RepoRoot
{
    static readonly Lazy<string> Found = new(Find);

    public static string Path => Found.Value;

    /// <summary>Where `./build.sh` and `dotnet publish -o out` put the native-AOT binaries.</summary>
    public static string Out => System.IO.Path.Combine(Path, "out");

    /// <summary>A published binary in out/, or an error that says how to publish it.</summary>
    public static string Published(string binary, string project)
    {
        string file = System.IO.Path.Combine(Out, binary);
        if (!File.Exists(file))
            throw new InvalidOperationException(
                $"{file} is missing; publish it first: cd {Path} && dotnet publish {project} -c Release -o out");
        return file;
    }

    public static string CddCni => Published("cdd-cni", "cni/Cdd.Cni/Cdd.Cni.csproj");

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CddPlugins.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no CddPlugins.sln above {AppContext.BaseDirectory}");
    }
}
