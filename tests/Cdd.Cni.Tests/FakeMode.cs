using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests;

/// <summary>Records each call and the context it saw; can be told to fail or to answer with a result.</summary>
internal sealed class FakeMode : IMode
{
    public List<string> Calls { get; } = [];
    public CniContext? Seen { get; private set; }
    public CniResult AddResult { get; set; } = new();
    public Exception? Throw { get; set; }

    public void Validate(CniContext ctx) => Record("Validate", ctx);
    public CniResult Add(CniContext ctx) { Record("Add", ctx); return AddResult; }
    public void Del(CniContext ctx) => Record("Del", ctx);
    public void Check(CniContext ctx) => Record("Check", ctx);
    public void Status(CniContext ctx) => Record("Status", ctx);

    private void Record(string call, CniContext ctx)
    {
        Calls.Add(call);
        Seen = ctx;
        if (Throw is not null && call != "Validate") throw Throw;
    }
}
