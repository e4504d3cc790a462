namespace Cdd.Cni.Spec;

/// <summary>The well-known error codes of the CNI spec; 100 and up are ours.</summary>
public static class CniErrorCodes
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironmentVariables = 4;
    public const int IoFailure = 5;
    public const int DecodingFailure = 6;
    public const int InvalidNetworkConfig = 7;
    public const int TryAgainLater = 11;
    public const int PluginNotAvailable = 50;
    public const int PluginNotAvailableLimitedConnectivity = 51;

    /// <summary>Codes below 100 are reserved by the spec, so anything of our own (a crash, a delegate that died without an error) starts here.</summary>
    public const int Internal = 100;
}
