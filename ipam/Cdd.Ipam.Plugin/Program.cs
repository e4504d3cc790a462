using System.Collections;
using Cdd.Ipam.Plugin;

if (Environment.GetEnvironmentVariable("CNI_COMMAND") is null)
{
    Console.Error.WriteLine("cdd-ipam is a CNI IPAM plugin: a runtime or a main plugin runs it with CNI_COMMAND set and the network config on stdin.");
    return 2;
}
var env = new Dictionary<string, string?>(StringComparer.Ordinal);
foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
    env[(string)e.Key] = (string?)e.Value;
using var stdin = Console.OpenStandardInput();
using var stdout = Console.OpenStandardOutput();
return IpamDispatcher.Run(env, stdin, stdout, Console.Error);
