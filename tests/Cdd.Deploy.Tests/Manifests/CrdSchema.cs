using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// An object of our own kinds checked against the openAPIV3Schema of the CRD the tree ships, the way the API server's
/// structural schema checks it: unknown fields (unless x-kubernetes-preserve-unknown-fields), types, required, enum,
/// minimum/maximum, lengths, item counts and patterns. Scalars are typed by YAML 1.2's core schema: a quoted "100" is a
/// string, a plain 100 an integer.
/// </summary>
public static class CrdSchema
{
    public static List<string> Check(ManifestTree tree)
    {
        var problems = new List<string>();
        var crds = tree.OfKind("CustomResourceDefinition").Select(o => o.As<V1CustomResourceDefinition>()).ToList();
        foreach (var o in tree.Objects.Where(o => o.Object is CustomObject))
        {
            var crd = crds.SingleOrDefault(c => $"{c.Spec.Group}/{c.Spec.Versions[0].Name}" == o.Object.ApiVersion && c.Spec.Names.Kind == o.Kind);
            if (crd is null)
            {
                problems.Add($"{o}: no CRD in the tree serves {o.Object.ApiVersion} {o.Kind}");
                continue;
            }
            if ((crd.Spec.Scope == "Namespaced") != (o.Namespace is not null))
                problems.Add($"{o}: the CRD is {crd.Spec.Scope}-scoped but the object {(o.Namespace is null ? "has no" : "has a")} namespace");
            var schema = crd.Spec.Versions.Single(v => v.Storage).Schema.OpenAPIV3Schema;
            foreach (var (key, value) in o.Node.Children)
            {
                string field = ((YamlScalarNode)key).Value!;
                if (field is "apiVersion" or "kind" or "metadata") continue;
                if (schema.Properties?.TryGetValue(field, out var sub) != true) problems.Add($"{o}: unknown field {field}");
                else Walk(sub!, value, field, problems, o.ToString());
            }
            foreach (var r in schema.Required ?? [])
                if (!o.Node.Children.ContainsKey(new YamlScalarNode(r))) problems.Add($"{o}: {r} is required");
        }
        return problems;
    }

    static void Walk(V1JSONSchemaProps s, YamlNode node, string path, List<string> problems, string where)
    {
        void Bad(string why) => problems.Add($"{where}: {path}: {why}");
        if (s.AnyOf is { Count: > 0 } any && s.XKubernetesIntOrString != true)
        {
            if (!any.Any(a => { var p = new List<string>(); Walk(Merge(s, a), node, path, p, where); return p.Count == 0; })) Bad("matches none of anyOf");
            return;
        }
        switch (node)
        {
            case YamlMappingNode map:
                if (s.Type is not (null or "object")) { Bad($"expected {s.Type}, got an object"); return; }
                foreach (var (k, v) in map.Children)
                {
                    string name = ((YamlScalarNode)k).Value!;
                    if (s.Properties?.TryGetValue(name, out var sub) == true) Walk(sub, v, $"{path}.{name}", problems, where);
                    else if (AsSchema(s.AdditionalProperties) is { } ap) Walk(ap, v, $"{path}.{name}", problems, where);
                    else if (s.XKubernetesPreserveUnknownFields != true) Bad($"unknown field {name}");
                }
                foreach (var r in s.Required ?? [])
                    if (!map.Children.ContainsKey(new YamlScalarNode(r))) Bad($"{r} is required");
                break;
            case YamlSequenceNode seq:
                if (s.Type is not (null or "array")) { Bad($"expected {s.Type}, got a list"); return; }
                if (s.MinItems is { } min && seq.Children.Count < min) Bad($"at least {min} items");
                if (s.MaxItems is { } max && seq.Children.Count > max) Bad($"at most {max} items");
                for (int i = 0; i < seq.Children.Count; i++)
                    if (AsSchema(s.Items) is { } item) Walk(item, seq.Children[i], $"{path}[{i}]", problems, where);
                break;
            case YamlScalarNode scalar:
                Scalar(s, scalar, Bad);
                break;
        }
    }

    /// <summary>items and additionalProperties are untyped in the model (a schema or a bool): whatever the loader made of them, as a schema.</summary>
    static V1JSONSchemaProps? AsSchema(object? value) => value switch
    {
        null or bool => null,
        V1JSONSchemaProps p => p,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False } => null,
        _ => k8s.KubernetesYaml.Deserialize<V1JSONSchemaProps>(k8s.KubernetesYaml.Serialize(value)),
    };

    static V1JSONSchemaProps Merge(V1JSONSchemaProps outer, V1JSONSchemaProps alt) => new()
    {
        Type = alt.Type ?? outer.Type, Pattern = alt.Pattern ?? outer.Pattern, Minimum = alt.Minimum ?? outer.Minimum, Maximum = alt.Maximum ?? outer.Maximum,
        EnumProperty = alt.EnumProperty ?? outer.EnumProperty, MinLength = alt.MinLength ?? outer.MinLength, MaxLength = alt.MaxLength ?? outer.MaxLength,
    };

    static void Scalar(V1JSONSchemaProps s, YamlScalarNode n, Action<string> bad)
    {
        string text = n.Value ?? "";
        bool plain = n.Style is ScalarStyle.Plain or ScalarStyle.Any;
        bool isInt = plain && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        bool isNum = plain && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        bool isBool = plain && text is "true" or "false";
        string kind = isInt ? "integer" : isNum ? "number" : isBool ? "boolean" : "string";
        if (s.XKubernetesIntOrString == true)
        {
            if (kind is not ("integer" or "string")) bad($"expected an integer or a string, got a {kind}");
            if (kind == "string" && s.Pattern is { } ip && !Regex.IsMatch(text, ip)) bad($"\"{text}\" does not match {ip}");
            return;
        }
        switch (s.Type)
        {
            case "integer" when kind != "integer":
            case "number" when kind is not ("integer" or "number"):
            case "boolean" when kind != "boolean":
            case "string" when kind != "string":
                bad($"expected {s.Type}, got {kind} {text}");
                return;
        }
        if (s.Type is "integer" or "number")
        {
            double v = double.Parse(text, CultureInfo.InvariantCulture);
            if (s.Minimum is { } lo && (v < lo || (s.ExclusiveMinimum == true && v <= lo))) bad($"{text} is below the minimum {lo}");
            if (s.Maximum is { } hi && (v > hi || (s.ExclusiveMaximum == true && v >= hi))) bad($"{text} is above the maximum {hi}");
        }
        if (s.Type == "string")
        {
            if (s.MinLength is { } minL && text.Length < minL) bad($"shorter than {minL}");
            if (s.MaxLength is { } maxL && text.Length > maxL) bad($"longer than {maxL}");
            if (s.Pattern is { } p && !Regex.IsMatch(text, p)) bad($"\"{text}\" does not match {p}");
        }
        if (s.EnumProperty is { Count: > 0 } values && !values.Select(v => v?.ToString()).Contains(text)) bad($"{text} is not one of {string.Join(", ", values)}");
    }
}
