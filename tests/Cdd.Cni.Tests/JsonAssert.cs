using System.Text;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Cdd.Cni.Tests;

/// <summary>Compares JSON by structure (order of object keys ignored), so golden texts can be written readably.</summary>
internal static class JsonAssert
{
    public static void Equal(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        if (!JsonNode.DeepEquals(e, a))
            throw new XunitException($"JSON differs.\nExpected: {e?.ToJsonString()}\nActual:   {a?.ToJsonString()}");
    }

    public static void Equal(string expected, byte[] actual) => Equal(expected, Encoding.UTF8.GetString(actual));

    public static void Equal(string expected, MemoryStream actual) => Equal(expected, actual.ToArray());

    public static void NoProperty(string json, string arrayName, string property)
    {
        var node = JsonNode.Parse(json)!;
        foreach (var item in node[arrayName]!.AsArray())
            Assert.False(item!.AsObject().ContainsKey(property), $"{arrayName}[] must not carry \"{property}\": {json}");
    }
}
