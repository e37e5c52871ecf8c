namespace Switchboard.Sip.Dialogs;

/// <summary>RFC 3261 12: a dialog is identified by Call-ID, local tag and remote tag.</summary>
internal readonly record struct DialogId(string CallId, string LocalTag, string RemoteTag);
