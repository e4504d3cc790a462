namespace Cdd.Operator.Extender;

/// <summary>A request the extender cannot answer (no pod, no cluster label, unknown cluster): HTTP 400 with the message.</summary>
internal sealed class ExtenderRequestException(string message) : Exception(message);
