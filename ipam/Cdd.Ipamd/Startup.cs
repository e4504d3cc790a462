namespace Cdd.Ipamd;

/// <summary>What the agent waits for before it serves requests: <see cref="Ready"/> completes once, <see cref="Reason"/> says why not yet.</summary>
internal interface IStartup
{
    Task Ready { get; }
    string Reason { get; }
}
