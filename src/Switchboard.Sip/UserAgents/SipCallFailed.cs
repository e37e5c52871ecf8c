namespace Switchboard.Sip.UserAgents;

/// <summary>
/// The INVITE ended without an answer: a 3xx-6xx final response, or a local outcome (Timer B: 408;
/// transport error: 503; RFC 3261 9.1 cancel guard: 487). Terminal: no event follows.
/// </summary>
/// <param name="Timestamp">When the outcome was known.</param>
/// <param name="StatusCode">The final SIP status code (received, or generated locally).</param>
/// <param name="ReasonPhrase">The reason phrase.</param>
/// <param name="IsLocal">True when no such response arrived and the stack generated the code.</param>
/// <param name="WasCanceled">True when <see cref="SipCall.CancelAsync"/> had been called before the outcome (a 487 is then the expected end).</param>
public sealed record SipCallFailed(DateTimeOffset Timestamp, int StatusCode, string ReasonPhrase, bool IsLocal, bool WasCanceled) : SipCallEvent(Timestamp);
