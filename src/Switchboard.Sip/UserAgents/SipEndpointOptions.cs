namespace Switchboard.Sip.UserAgents;

/// <summary>Settings of a <see cref="SipEndpoint"/>. Mutable for configuration binding; read once at start.</summary>
public sealed class SipEndpointOptions
{
    /// <summary>Local address to bind the UDP socket to. Default <c>0.0.0.0</c>.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Local UDP port; 0 picks a free port. Default 5060.</summary>
    public int ListenPort { get; set; } = 5060;

    /// <summary>
    /// Host written in Via, Contact, From and the SDP: the address the trunk can reach us at (set it behind NAT).
    /// Default: <see cref="ListenAddress"/>, or 127.0.0.1 when listening on any address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>RFC 3261 T1, the round-trip estimate: Timer A/E start value; B, F and M are 64*T1. Default 500 ms.</summary>
    public TimeSpan T1 { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>RFC 3261 T2, the cap of non-INVITE retransmission intervals. Default 4 s.</summary>
    public TimeSpan T2 { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>RFC 3261 T4, how long the network may keep a message: Timer K. Default 5 s.</summary>
    public TimeSpan T4 { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Also listen on TCP at the same port, and place calls over TCP when the target URI says
    /// <c>;transport=tcp</c> (RFC 3261 18). Default true.
    /// </summary>
    public bool EnableTcp { get; set; } = true;

    /// <summary>UDP receive buffer in bytes (Linux caps it at net.core.rmem_max). Default 4 MiB.</summary>
    public int ReceiveBufferSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The User-Agent header value. Default <c>Switchboard</c>.</summary>
    public string UserAgent { get; set; } = "Switchboard";

    /// <summary>
    /// RTP port offered in the SDP (even, non-zero). Signalling only: nothing listens there yet. Default 10000.
    /// </summary>
    public int MediaPort { get; set; } = 10000;
}
