namespace Cdd.Operator.Members;

/// <summary>A running member refused or could not be reached for a settings change; the message names member and setting, never a credential.</summary>
internal sealed class MemberSettingsException(string message, Exception? inner = null) : Exception(message, inner);
