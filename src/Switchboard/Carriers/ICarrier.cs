namespace Switchboard.Carriers;

/// <summary>
/// A network that can place a call leg: the simulated network, or a SIP trunk. The carrier reports
/// progress through <see cref="ILegEvents"/>; it never calls back synchronously from <see cref="Place"/>.
/// </summary>
public interface ICarrier
{
    string Name { get; }

    ICarrierLeg Place(LegRequest request, ILegEvents events);
}

/// <summary>A leg in flight. Both methods are idempotent and safe to call after the leg ended.</summary>
public interface ICarrierLeg
{
    /// <summary>Stop ringing (SIP CANCEL). The leg reports nothing more.</summary>
    void Cancel();

    /// <summary>End an answered leg (SIP BYE). The leg reports nothing more.</summary>
    void Hangup();
}

/// <summary>What the network tells about a leg.</summary>
public interface ILegEvents
{
    /// <summary>180 Ringing or 183 Session Progress.</summary>
    void Ringing(int sipCode);

    /// <summary>200 OK. <paramref name="answeredBy"/> is what machine detection would say (human, machine_start, ...).</summary>
    void Answered(string answeredBy);

    /// <summary>A final non-2xx response (busy, decline, unreachable, congestion...).</summary>
    void Rejected(int sipCode);

    /// <summary>The callee hung up an answered leg.</summary>
    void RemoteHangup();

    /// <summary>
    /// Nothing answered at all: the stack gave up (Timer B: 408) or could not send (503). The call fails
    /// with that code, whereas the same code received from the far end goes through the SIP mapping.
    /// </summary>
    void Unreachable(int sipCode) => Rejected(sipCode);

    /// <summary>The SIP Call-ID of the INVITE placing the leg (reported as <c>DialSipCallId</c> for &lt;Dial&gt;&lt;Sip&gt;).</summary>
    void Identified(string sipCallId)
    {
    }

    /// <summary>The leg went out through this trunk (a route may fail over to another one). May be raised from <see cref="ICarrier.Place"/>.</summary>
    void Routed(string trunk)
    {
    }

    /// <summary>The callee's SDP (early media on a 183, or the answer), raised just before <see cref="Ringing"/> or <see cref="Answered"/>.</summary>
    void Media(string sdp)
    {
    }
}

/// <summary>A leg to place.</summary>
public sealed record LegRequest
{
    public required string CallSid { get; init; }
    public required string To { get; init; }
    public required string From { get; init; }
    public string? SendDigits { get; init; }
    /// <summary>An SDP offer to send instead of the carrier's own (a bridged trunk call passes the caller's through).</summary>
    public string? SdpOffer { get; init; }
    /// <summary>
    /// Digest credentials for this leg (<c>&lt;Sip username password&gt;</c>), answered to the far end's 401/407 instead of
    /// the trunk's own; a carrier without SIP ignores them.
    /// </summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
}
