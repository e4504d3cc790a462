using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Backends;

/// <summary>
/// ValidateVolumeCapabilities' answer once the backend found the volume: unsupported is an answer, not an error (no
/// `confirmed`, a message saying why); otherwise everything asked for is confirmed as given.
/// </summary>
internal static class CapabilityAnswer
{
    /// <param name="validateParameters">The backend's StorageClass parameter rules; throws INVALID_ARGUMENT naming the bad one.</param>
    public static ValidateVolumeCapabilitiesResponse For(ValidateVolumeCapabilitiesRequest request, Action<IReadOnlyDictionary<string, string>> validateParameters)
    {
        string? problem = request.VolumeCapabilities.Select(RequestValidator.Problem).FirstOrDefault(p => p is not null);
        if (problem is null && request.Parameters.Count > 0)
        {
            try
            {
                validateParameters(request.Parameters);
            }
            catch (CsiException e)
            {
                problem = e.Message;
            }
        }
        if (problem is not null) return new ValidateVolumeCapabilitiesResponse { Message = problem };
        return new ValidateVolumeCapabilitiesResponse
        {
            Confirmed = new ValidateVolumeCapabilitiesResponse.Types.Confirmed
            {
                VolumeCapabilities = { request.VolumeCapabilities },
                VolumeContext = { request.VolumeContext },
                Parameters = { request.Parameters },
            },
        };
    }
}
