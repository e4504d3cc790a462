using System.CommandLine;
using System.Reflection;
using Cdd.Cni.Spec;

namespace Cdd.Cni;

/// <summary>What cdd-cni does when a person runs it, not a runtime.</summary>
internal static class CommandLineTool
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("cdd-cni: CNI plugin for MySQL Group Replication pods (macvlan, overlay). Runtimes call it with CNI_COMMAND set.");

        var version = new Command("version", "Print the plugin version and the CNI versions it speaks.");
        version.SetAction(_ =>
        {
            Console.Out.WriteLine($"cdd-cni {InformationalVersion()} (CNI {string.Join(", ", CniVersions.Supported)})");
            return 0;
        });
        root.Subcommands.Add(version);

        return root.Parse(args).Invoke();
    }

    internal static string InformationalVersion() =>
        typeof(CommandLineTool).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
