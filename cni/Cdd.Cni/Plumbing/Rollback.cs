namespace Cdd.Cni.Plumbing;

/// <summary>
/// Undo actions registered right where each resource is acquired; run newest first unless the
/// whole operation committed. An undo that fails is reported on stderr and the rest still run.
/// </summary>
internal sealed class Rollback(TextWriter? log = null) : IDisposable
{
    readonly Stack<(string What, Action Undo)> _steps = new();
    bool _committed;

    public void Add(string what, Action undo) => _steps.Push((what, undo));

    public void Commit() => _committed = true;

    public void Dispose()
    {
        if (_committed) return;
        while (_steps.TryPop(out var step))
        {
            try
            {
                step.Undo();
            }
            catch (Exception e)
            {
                (log ?? Console.Error).WriteLine($"cdd-cni: rollback of {step.What} failed: {e.Message}");
            }
        }
    }
}
