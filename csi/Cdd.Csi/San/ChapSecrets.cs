using Cdd.Csi.Errors;

namespace Cdd.Csi.San;

/// <summary>CHAP credentials from a CSI secrets map, checked once for the target (ControllerPublish) and the initiator (NodeStage).</summary>
internal static class ChapSecrets
{
    public const string UserKey = "chapUser", PasswordKey = "chapPassword";

    /// <summary>Null when neither key is given; the messages name the key only, never a value.</summary>
    public static (string User, string Password)? Parse(IReadOnlyDictionary<string, string> secrets)
    {
        bool hasUser = secrets.TryGetValue(UserKey, out var user), hasPassword = secrets.TryGetValue(PasswordKey, out var password);
        if (!hasUser && !hasPassword) return null;
        if (!hasUser || !hasPassword) throw CsiException.Invalid($"secrets: {UserKey} and {PasswordKey} go together");
        if (user!.Length is 0 or > 255 || !user.All(c => c is > ' ' and < '\u007f')) throw CsiException.Invalid($"secrets {UserKey} is not 1..255 printable ASCII characters");
        if (password!.Length is < 12 or > 16 || !password.All(c => c is > ' ' and < '\u007f'))
            throw CsiException.Invalid($"secrets {PasswordKey} is not 12..16 printable ASCII characters (the iSCSI CHAP limits)");
        return (user, password);
    }
}
