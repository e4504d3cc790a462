using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cdd.Csi.Grpc;

/// <summary>A loggable copy of a request: every field the spec marks (csi_secret) is cleared, and so are mount flags (they may carry secrets).</summary>
internal static class SecretStripper
{
    public static IMessage Strip(IMessage message)
    {
        var copy = message.Descriptor.Parser.ParseFrom(message.ToByteString());
        Clear(copy);
        return copy;
    }

    static void Clear(IMessage m)
    {
        foreach (var field in m.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.GetOptions()?.GetExtension(global::Csi.V1.CsiExtensions.CsiSecret) == true || field.Name == "mount_flags")
            {
                field.Accessor.Clear(m);
                continue;
            }
            if (field.FieldType == FieldType.Message && !field.IsMap)
            {
                if (field.IsRepeated)
                {
                    foreach (var item in (System.Collections.IList)field.Accessor.GetValue(m)) if (item is IMessage im) Clear(im);
                }
                else if (field.Accessor.GetValue(m) is IMessage child) Clear(child);
            }
        }
    }
}
