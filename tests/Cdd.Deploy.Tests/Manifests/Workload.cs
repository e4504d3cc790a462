using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>A Deployment, DaemonSet or StatefulSet seen through what the checks need: selector, pod template, containers.</summary>
public sealed record Workload(ManifestObject Source, V1LabelSelector Selector, V1PodTemplateSpec Template)
{
    public string Id => Source.Id;
    public V1PodSpec Pod => Template.Spec;

    public IEnumerable<V1Container> AllContainers => (Pod.InitContainers ?? []).Concat(Pod.Containers ?? []);

    public static IEnumerable<Workload> In(ManifestTree tree)
    {
        foreach (var o in tree.Objects)
        {
            switch (o.Object)
            {
                case V1Deployment d: yield return new Workload(o, d.Spec.Selector, d.Spec.Template); break;
                case V1DaemonSet d: yield return new Workload(o, d.Spec.Selector, d.Spec.Template); break;
                case V1StatefulSet s: yield return new Workload(o, s.Spec.Selector, s.Spec.Template); break;
            }
        }
    }

    public V1Container Container(string name) =>
        AllContainers.SingleOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"{Id} has no container {name}");

    public V1Volume Volume(string name) =>
        (Pod.Volumes ?? []).SingleOrDefault(v => v.Name == name) ?? throw new InvalidOperationException($"{Id} has no volume {name}");
}
