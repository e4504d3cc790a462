using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests;

internal sealed class FakeIpam : IIpam
{
    public List<string> Calls { get; } = [];

    public CniResult Add(CniContext ctx) { Calls.Add("Add"); return new CniResult(); }
    public void Del(CniContext ctx) => Calls.Add("Del");
    public void Check(CniContext ctx) => Calls.Add("Check");
    public void Gc(CniContext ctx) => Calls.Add("Gc");
    public void Status(CniContext ctx) => Calls.Add("Status");
}
