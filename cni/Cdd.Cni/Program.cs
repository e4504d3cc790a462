using System.Collections;
using Cdd.Cni;

// Our own exec trampoline for a delegated plugin (see ParentDeath): before anything else, it carries the runtime's CNI_COMMAND.
if (args is [Cdd.Native.ParentDeath.TrampolineFlag, var parent, var program] && int.TryParse(parent, out int parentPid))
    return Cdd.Native.ParentDeath.ExecTied(parentPid, program, Console.Error);

// A runtime sets CNI_COMMAND; anything else is a person at a shell. The CNI path stays free of System.CommandLine
// so pod start pays nothing for the tool.
if (Environment.GetEnvironmentVariable("CNI_COMMAND") is not null)
{
    var env = new Dictionary<string, string?>(StringComparer.Ordinal);
    foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        env[(string)e.Key] = (string?)e.Value;
    using var stdin = Console.OpenStandardInput();
    using var stdout = Console.OpenStandardOutput();
    return Dispatcher.Run(env, stdin, stdout, Console.Error, ModeRegistry.Create);
}

return CommandLineTool.Run(args);
