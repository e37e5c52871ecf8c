namespace Switchboard.Calls;

/// <summary>Twilio's <c>direction</c> values (reference §6).</summary>
public static class CallDirection
{
    public const string OutboundApi = "outbound-api";
    public const string OutboundDial = "outbound-dial";
    public const string Inbound = "inbound";
}
