namespace Cdd.Cni.Spec;

/// <summary>The exact upper-case spellings the spec uses in CNI_COMMAND.</summary>
public static class CniCommandText
{
    public static string ToVerb(this CniCommand command) => command switch
    {
        CniCommand.Add => "ADD",
        CniCommand.Del => "DEL",
        CniCommand.Check => "CHECK",
        CniCommand.Status => "STATUS",
        CniCommand.Gc => "GC",
        CniCommand.Version => "VERSION",
        _ => throw new ArgumentOutOfRangeException(nameof(command)),
    };

    // Case-sensitive on purpose: runtimes send upper case, and "add" would be a runtime bug worth surfacing.
    public static bool TryParse(string? verb, out CniCommand command)
    {
        switch (verb)
        {
            case "ADD": command = CniCommand.Add; return true;
            case "DEL": command = CniCommand.Del; return true;
            case "CHECK": command = CniCommand.Check; return true;
            case "STATUS": command = CniCommand.Status; return true;
            case "GC": command = CniCommand.Gc; return true;
            case "VERSION": command = CniCommand.Version; return true;
            default: command = default; return false;
        }
    }
}
