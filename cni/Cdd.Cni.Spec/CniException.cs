using System.Text.Json;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Spec;

/// <summary>An error the runtime sees: printed as the spec's error JSON on stdout, exit code 1.</summary>
public sealed class CniException : Exception
{
    public CniException(int code, string msg, string? details = null, Exception? inner = null)
        : base(msg, inner)
    {
        Code = code;
        Msg = msg;
        Details = details;
    }

    public int Code { get; }
    public string Msg { get; }
    public string? Details { get; }

    public byte[] ToJsonUtf8(string cniVersion) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new ErrorJson { CniVersion = cniVersion, Code = Code, Msg = Msg, Details = Details },
            CniJsonContext.Default.ErrorJson);

    public override string ToString() =>
        Details is null ? $"CNI error {Code}: {Msg}" : $"CNI error {Code}: {Msg} ({Details})";
}
