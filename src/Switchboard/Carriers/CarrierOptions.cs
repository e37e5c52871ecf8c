namespace Switchboard.Carriers;

/// <summary>
/// Trunks and routes (section <c>Carriers</c>). With nothing configured, one trunk <c>simulated</c> (the
/// simulated network) takes every call, as before trunks existed.
/// </summary>
public sealed class CarrierOptions
{
    /// <summary>The networks calls can leave through, by name.</summary>
    public List<TrunkOptions> Trunks { get; set; } = [];

    /// <summary>Number prefixes to ordered trunk lists; the longest matching prefix wins.</summary>
    public List<RouteOptions> Routes { get; set; } = [];

    /// <summary>The one SIP endpoint every <c>sip</c> trunk shares.</summary>
    public SipCarrierOptions Sip { get; set; } = new();

    /// <summary>
    /// The longest a trunk call's leg may go unanswered: then the callee gets a CANCEL, the caller a 408, and the call
    /// is recorded no-answer (a proxy's Timer C, RFC 3261 16.6, is at least 3 minutes). Default 3 minutes.
    /// </summary>
    public TimeSpan TrunkCallRingTimeout { get; set; } = TimeSpan.FromMinutes(3);
}

/// <summary>One trunk: the simulated network (<c>sim</c>) or a SIP peer (<c>sip</c>).</summary>
public sealed class TrunkOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>sim</c> or <c>sip</c>. Default <c>sim</c>.</summary>
    public string Kind { get; set; } = TrunkKinds.Simulated;

    /// <summary>For <c>sip</c>: where INVITEs go, <c>host[:port]</c> (default port 5060).</summary>
    public string? Address { get; set; }

    /// <summary>For <c>sip</c>: <c>udp</c> (default) or <c>tcp</c>.</summary>
    public string Transport { get; set; } = "udp";

    /// <summary>Digest credentials answering a 401/407 challenge; none when null.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The user part of our From URI. Default: the call's From number.</summary>
    public string? FromUser { get; set; }

    /// <summary>Calls per second this trunk accepts; calls over it wait in <c>queued</c>. 0 (default) means unlimited.</summary>
    public double CallsPerSecond { get; set; }

    /// <summary>Calls up at once on this trunk; calls over it wait in <c>queued</c>. 0 (default) means unlimited.</summary>
    public int MaxConcurrentCalls { get; set; }

    /// <summary>
    /// Makes this trunk a source of trunk calls (docs/carriers.md "Trunk calls"): INVITEs arriving on the
    /// shared SIP endpoint from these IP addresses, CIDR ranges (<c>10.0.0.0/8</c>) or host names (resolved
    /// once at start) are routed to a termination trunk and bridged, without TwiML or callbacks. Default:
    /// none. A <c>sip</c> trunk with <c>AcceptFrom</c> and no <c>Address</c> only originates calls.
    /// </summary>
    public List<string> AcceptFrom { get; set; } = [];

    /// <summary>
    /// Digest credentials a source trunk's INVITEs must carry (RFC 3261 22.3): without a valid
    /// <c>Proxy-Authorization</c> an INVITE is answered 407 with a challenge (realm = the trunk's name).
    /// Default: none, the address alone admits.
    /// </summary>
    public string? AcceptUsername { get; set; }

    public string? AcceptPassword { get; set; }

    /// <summary>The trunk's <c>TK…</c> SID, shown as <c>trunk_sid</c> on its calls. Default: derived from <see cref="Name"/> (stable).</summary>
    public string? Sid { get; set; }

    /// <summary>The account a source trunk's calls belong to. Default: the server's default account.</summary>
    public string? AccountSid { get; set; }
}

/// <summary>A number prefix (<c>+44</c>; empty matches everything) and the trunks to try, in order.</summary>
public sealed class RouteOptions
{
    public string Prefix { get; set; } = "";

    public List<string> Trunks { get; set; } = [];
}

/// <summary>Where the shared SIP endpoint listens and what it advertises.</summary>
public sealed class SipCarrierOptions
{
    /// <summary>Local address of the UDP socket (and TCP listener). Default <c>0.0.0.0</c>.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Local port; 0 (default) picks a free one.</summary>
    public int ListenPort { get; set; }

    /// <summary>The address trunks reach us at (Via, Contact, SDP). Default: the listen address, or 127.0.0.1.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>RFC 3261 T1; Timer B (INVITE timeout) is 64*T1. Default 500 ms.</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);
}

public static class TrunkKinds
{
    public const string Simulated = "sim";
    public const string Sip = "sip";
}
