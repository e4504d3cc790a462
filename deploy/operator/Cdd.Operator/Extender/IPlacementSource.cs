namespace Cdd.Operator.Extender;

/// <summary>Where the extender gets its <see cref="IPlacementSnapshot"/>: fixed files, or the API server.</summary>
internal interface IPlacementSource
{
    /// <summary>A snapshot fresh enough to answer one call; <see cref="InventoryUnavailableException"/> when none can be read.</summary>
    ValueTask<IPlacementSnapshot> CurrentAsync(CancellationToken ct);
}
