namespace Cdd.Ipam.Store;

/// <summary>The store could not be reached or locked in time; nothing was changed, so the caller may try again later.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
