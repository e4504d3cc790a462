namespace Cdd.Csi.Errors;

/// <summary>A domain error with the CSI outcome it stands for.</summary>
internal sealed class CsiException(CsiFault fault, string message) : Exception(message)
{
    public CsiFault Fault { get; } = fault;

    public static CsiException Invalid(string message) => new(CsiFault.InvalidArgument, message);
}
