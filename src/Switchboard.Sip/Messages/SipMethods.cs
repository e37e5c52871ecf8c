namespace Switchboard.Sip.Messages;

/// <summary>RFC 3261 method names used by this stack.</summary>
internal static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Cancel = "CANCEL";
    public const string Bye = "BYE";
    public const string Options = "OPTIONS";
    public const string Info = "INFO";
    public const string Notify = "NOTIFY";
    public const string Update = "UPDATE";

    /// <summary>The method as one of the constants above when it is one (methods are case-sensitive), else a new string.</summary>
    public static string Known(ReadOnlySpan<char> method) => method switch
    {
        Invite => Invite,
        Ack => Ack,
        Cancel => Cancel,
        Bye => Bye,
        Options => Options,
        Info => Info,
        Notify => Notify,
        Update => Update,
        _ => method.ToString(),
    };
}
