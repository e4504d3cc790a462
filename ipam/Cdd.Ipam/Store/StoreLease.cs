namespace Cdd.Ipam.Store;

/// <summary>A store for the length of one request; disposing releases whatever lock came with it.</summary>
public readonly record struct StoreLease(IReservationStore Store, IDisposable? Lease) : IDisposable
{
    public void Dispose() => Lease?.Dispose();
}
