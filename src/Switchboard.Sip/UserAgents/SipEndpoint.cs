using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// A SIP endpoint: one bound UDP socket, the transaction layer and the dialogs of the calls placed
/// through <see cref="UserAgentClient"/>. Dispatches what arrives: responses to client transactions
/// (RFC 3261 17.1.3), requests to dialogs (12.2.2), anything else answered statelessly.
/// </summary>
public sealed class SipEndpoint : IAsyncDisposable
{
    private readonly UdpTransport _transport;
    private readonly ConcurrentDictionary<string, SipCall> _calls = new(StringComparer.Ordinal);

    private SipEndpoint(SipEndpointOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.T1, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.T2, options.T1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.T4, TimeSpan.Zero);
        // RFC 3264 5.1 / RFC 3550 11: a zero port refuses the stream; RTP uses an even port.
        if (options.MediaPort is <= 0 or > 65534 || options.MediaPort % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MediaPort, "MediaPort must be an even port between 2 and 65534.");
        }

        Options = options;
        TimeProvider = timeProvider;
        Logger = logger;
        Timers = new SipTimers(options.T1, options.T2, options.T4);
        var bindTo = new IPEndPoint(IPAddress.Parse(options.ListenAddress), options.ListenPort);
        _transport = new UdpTransport(bindTo, options.ReceiveBufferSize, logger, OnMessage);
        ServerTransactions = new ServerTransactionTable(_transport, Timers, timeProvider);
        LocalEndPoint = _transport.LocalEndPoint;
        AdvertisedHost = options.AdvertisedAddress
            ?? (LocalEndPoint.Address.Equals(IPAddress.Any) ? "127.0.0.1" : LocalEndPoint.Address.ToString());
        UserAgentClient = new UserAgentClient(this);
    }

    /// <summary>The bound UDP address (with the actual port when <see cref="SipEndpointOptions.ListenPort"/> was 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Places calls through this endpoint.</summary>
    public UserAgentClient UserAgentClient { get; }

    internal SipEndpointOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal SipTimers Timers { get; }

    internal string AdvertisedHost { get; }

    internal ISipTransport Transport => _transport;

    internal UdpTransport UdpTransport => _transport;

    internal ClientTransactionTable ClientTransactions { get; } = new();

    internal ServerTransactionTable ServerTransactions { get; }

    internal int ActiveCallCount => _calls.Count;

    /// <summary>Binds the UDP socket and starts receiving.</summary>
    /// <param name="options">Addresses, timers and buffer sizes.</param>
    /// <param name="timeProvider">Clock for every SIP timer; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Logging; nothing is logged when null.</param>
    /// <returns>The running endpoint; dispose it to close the socket.</returns>
    public static SipEndpoint Start(SipEndpointOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Sip");
        var endpoint = new SipEndpoint(options, timeProvider ?? TimeProvider.System, logger);
        endpoint._transport.Start();
        SipLog.Listening(logger, endpoint.LocalEndPoint);
        return endpoint;
    }

    /// <summary>RFC 3261 18.1.1 / RFC 3581: our Via with a fresh branch and <c>rport</c>.</summary>
    internal string NewVia() => string.Create(
        CultureInfo.InvariantCulture,
        $"SIP/2.0/{_transport.Protocol} {AdvertisedHost}:{LocalEndPoint.Port};branch={SipTokens.NewBranch()};rport");

    internal string ContactFor(string user) => string.Create(CultureInfo.InvariantCulture, $"<sip:{user}@{AdvertisedHost}:{LocalEndPoint.Port}>");

    internal void Register(SipCall call) => _calls[call.CallId] = call;

    internal void Unregister(SipCall call) => _calls.TryRemove(new KeyValuePair<string, SipCall>(call.CallId, call));

    internal void Respond(SipRequest request, IPEndPoint source, int statusCode, string reasonPhrase, string? toTag = null, IEnumerable<SipHeader>? extraHeaders = null, ReadOnlyMemory<byte> body = default) =>
        ServerTransactions.Respond(request, source, SipResponseFactory.Create(request, statusCode, reasonPhrase, toTag, extraHeaders, body));

    /// <summary>
    /// Where an in-dialog request goes: the next hop's address when it is an IP literal, else the address
    /// the INVITE went to (no DNS on the receive path; RFC 3263 lookups are out of scope).
    /// </summary>
    internal static IPEndPoint ResolveNextHop(SipUri nextHop, IPEndPoint fallback) =>
        IPAddress.TryParse(nextHop.Host.Trim('[', ']'), out var address)
            ? new IPEndPoint(address, nextHop.Port ?? 5060)
            : fallback;

    private void OnMessage(SipMessage message, IPEndPoint source)
    {
        switch (message)
        {
            case SipResponse response:
                OnResponse(response);
                break;
            case SipRequest request:
                OnRequest(request, source);
                break;
        }
    }

    private void OnResponse(SipResponse response)
    {
        if (ClientTransactions.TryMatch(response, out var transaction))
        {
            transaction.OnResponse(response);
            return;
        }

        // RFC 3261 13.2.2.4 / RFC 6026: a 2xx retransmitted after the transaction ended is re-ACKed by the dialog.
        if (response.IsSuccess && response.CSeq?.Method == SipMethods.Invite
            && response.CallId is { } callId && _calls.TryGetValue(callId, out var call))
        {
            call.OnInviteSuccess(response);
            return;
        }

        SipLog.UnmatchedResponse(Logger, response.StatusCode, response.CallId);
    }

    private void OnRequest(SipRequest request, IPEndPoint source)
    {
        if (request.Method == SipMethods.Ack)
        {
            // RFC 3261 17.2.1: an ACK is never answered; it only confirms a 2xx we sent to a re-INVITE.
            return;
        }

        if (ServerTransactions.TryRetransmit(request, source))
        {
            return;
        }

        if (request.To?.Tag is not null)
        {
            if (request.CallId is { } callId && _calls.TryGetValue(callId, out var call) && call.TryHandleRequest(request, source))
            {
                return;
            }

            // RFC 3261 12.2.2: a request for a dialog we do not know gets 481.
            SipLog.NoDialog(Logger, request.Method, source);
            Respond(request, source, 481, "Call/Transaction Does Not Exist");
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Options:
                // RFC 3261 11.2: answer an out-of-dialog OPTIONS (trunk keep-alive) with our capabilities.
                Respond(request, source, 200, "OK", SipTokens.NewTag(), [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                break;
            case SipMethods.Cancel:
                // RFC 3261 9.2: we run no INVITE server transactions, so there is nothing to cancel.
                Respond(request, source, 481, "Call/Transaction Does Not Exist");
                break;
            default:
                // Incoming calls are out of scope for this user agent client.
                Respond(request, source, 501, "Not Implemented", SipTokens.NewTag(), [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                break;
        }
    }

    /// <summary>Stops receiving, ends the calls still up (locally) and closes the socket.</summary>
    /// <returns>A task that completes when the receive loop has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values)
        {
            call.OnEndpointStopped();
        }

        ClientTransactions.AbortAll();
        ServerTransactions.Dispose();
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
