namespace Cdd.Operator.Plan;

/// <summary>Input files that cannot be planned; <see cref="Errors"/> has one line per problem, each naming file and field.</summary>
internal sealed class PlanInputException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
