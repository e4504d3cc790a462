namespace Cdd.Operator.Extender;

/// <summary>
/// The inventory could not be read (API server failing, unusable node inventory). The message names what failed; the
/// filter answers it in <c>Error</c> so that the scheduler places nothing on a guess.
/// </summary>
internal sealed class InventoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
