namespace Cdd.Operator.Members;

/// <summary>A member's address could not be bound (pool missing or invalid, node reaches no segment, pool exhausted).</summary>
internal sealed class MemberAddressException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Set when the node reaches none of the pool's segments, or not the one the member is bound in: another node may.</summary>
    public string? UnreachableFrom { get; init; }
}
