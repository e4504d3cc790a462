using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Members;

/// <summary>
/// The settings applier of an operator wired without MySQL access: running members keep the seeds and weight their
/// pods were made with, and the settings step says so (SettingsApplied False, NotConfigured) instead of rolling anything.
/// </summary>
internal sealed class NoMemberSettings : IMemberSettings
{
    public static readonly NoMemberSettings Instance = new();

    public string? Unavailable => "no settings applier is configured: running members keep the seeds and weight they were made with";

    /// <summary>The step checks <see cref="Unavailable"/> first; a call anyway is a wiring bug.</summary>
    public Task ApplyAsync(ClusterSpec spec, string member, IPAddress address, IReadOnlyList<(string Name, string Value)> settings, CancellationToken ct) =>
        throw new InvalidOperationException($"{spec.Key} member {member}: {Unavailable}");
}
