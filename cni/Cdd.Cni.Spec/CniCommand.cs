namespace Cdd.Cni.Spec;

/// <summary>The verbs of CNI_COMMAND.</summary>
public enum CniCommand
{
    Add,
    Del,
    Check,
    Status,
    Gc,
    Version,
}
