using Cdd.Cni.Spec;

namespace Cdd.Cni.Contracts;

/// <summary>Address management for one attachment. Failures are <see cref="CniException"/>s; the mode decides what to tolerate.</summary>
internal interface IIpam
{
    /// <summary>Checks the ipam section before any link exists (ADD, CHECK); throws code 7 naming the field.</summary>
    void Validate(CniContext ctx) { }
    CniResult Add(CniContext ctx);
    void Del(CniContext ctx);
    void Check(CniContext ctx);
    void Gc(CniContext ctx);
    void Status(CniContext ctx);
}
