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

        var binDir = new Option<string>("--bin-dir") { Description = "The runtime's CNI bin directory.", DefaultValueFactory = _ => "/opt/cni/bin" };
        var confDir = new Option<string?>("--conf-dir") { Description = "The runtime's CNI config directory (for --conflist)." };
        var conflist = new Option<string?>("--conflist") { Description = "A network config list to install into --conf-dir." };
        var install = new Command("install", "Copy cdd-cni (and cdd-ipam beside it) into the CNI bin directory, atomically; optionally a conflist.")
        {
            binDir, confDir, conflist,
        };
        install.SetAction(r => Installer.Run(r.GetValue(binDir)!, r.GetValue(confDir), r.GetValue(conflist), Console.Out, Console.Error));
        root.Subcommands.Add(install);

        return root.Parse(args).Invoke();
    }

    internal static string InformationalVersion() =>
        typeof(CommandLineTool).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
