using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// The user agent client (RFC 3261 8.1): places calls with INVITE and hands back a <see cref="SipCall"/>
/// to follow, cancel or hang up. Get it from <see cref="SipEndpoint.UserAgentClient"/>.
/// </summary>
public sealed class UserAgentClient
{
    /// <summary>The methods we accept, for Allow headers (RFC 3261 20.5).</summary>
    internal const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS";

    private readonly SipEndpoint _endpoint;
    // The endpoint of the last target given as an IP literal (written by any caller; a reference, so a race only costs a copy).
    private IPEndPoint? _lastLiteral;

    internal UserAgentClient(SipEndpoint endpoint) => _endpoint = endpoint;

    /// <summary>
    /// Resolves the target, sends the INVITE with an SDP offer and returns at once; progress arrives on
    /// <see cref="SipCall.Events"/>. A send failure is reported there as <see cref="SipCallFailed"/> 503.
    /// </summary>
    /// <param name="request">Target, caller identity, credentials and extra headers.</param>
    /// <param name="cancellationToken">Cancels the target's DNS resolution; once sent, use <see cref="SipCall.CancelAsync"/>.</param>
    /// <returns>The call handle.</returns>
    /// <exception cref="SocketException">The target host name does not resolve to an IPv4 address.</exception>
    /// <exception cref="InvalidOperationException">The target asks for TCP and <see cref="SipEndpointOptions.EnableTcp"/> is off.</exception>
    public async Task<SipCall> InviteAsync(SipInviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var destination = await ResolveAsync(request.Target, cancellationToken).ConfigureAwait(false);
        var transport = _endpoint.Transport;
        if (string.Equals(request.Target.GetParameter("transport"), "tcp", StringComparison.OrdinalIgnoreCase))
        {
            transport = _endpoint.TcpTransport ?? throw new InvalidOperationException("The target asks for TCP but SipEndpointOptions.EnableTcp is off.");
        }

        var call = new SipCall(_endpoint, request, destination, transport);
        _endpoint.Register(call);
        call.Start();
        return call;
    }

    private async ValueTask<IPEndPoint> ResolveAsync(SipUri target, CancellationToken cancellationToken)
    {
        // A trunk is called at the same address again and again: its last endpoint is reused, not copied per call.
        if (SipEndpoint.LiteralEndPoint(target, _lastLiteral) is { } literal)
        {
            return _lastLiteral = literal;
        }

        // RFC 3263 NAPTR/SRV is out of scope: one A lookup per call (sip-carrier reference 3.2).
        var port = target.Port ?? 5060;
        var addresses = await Dns.GetHostAddressesAsync(target.Host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], port)
            : throw new SocketException((int)SocketError.HostNotFound);
    }
}
