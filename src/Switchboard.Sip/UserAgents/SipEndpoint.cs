using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// A SIP endpoint: one bound UDP socket (and a TCP listener on the same port), the transaction layer
/// and the dialogs of the calls placed through <see cref="UserAgentClient"/> and received through
/// <see cref="AcceptIncomingCalls"/>. Dispatches what arrives: responses to client transactions (RFC 3261
/// 17.1.3), INVITE/ACK/CANCEL to INVITE server transactions (17.2.3), requests to dialogs (12.2.2), anything
/// else answered statelessly.
/// </summary>
public sealed class SipEndpoint : IAsyncDisposable
{
    private readonly UdpTransport _transport;
    private readonly TcpTransport? _tcp;
    private readonly ConcurrentDictionary<string, SipCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IncomingSipCall> _incoming = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Branch, string SentBy), InviteServerTransaction> _inviteServerTransactions = new();
    private Action<IncomingSipCall>? _incomingCallHandler;

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
        // A free UDP port may be taken on TCP: with an ephemeral port, try a few until both bind.
        for (var attempt = 1; ; attempt++)
        {
            var udp = new UdpTransport(bindTo, options.ReceiveBufferSize, logger, (message, source) => OnMessage(message, source, _transport!));
            try
            {
                // RFC 3261 18: TCP on the same port, where a far end opens its own connection to our Contact.
                _tcp = options.EnableTcp
                    ? new TcpTransport(udp.LocalEndPoint, logger, (message, source) => OnMessage(message, source, _tcp!), OnSendFailed)
                    : null;
                _transport = udp;
                break;
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse && options.ListenPort == 0 && attempt < 10)
            {
                udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch
            {
                // Not started yet: disposing completes synchronously.
                udp.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }

        LocalEndPoint = _transport.LocalEndPoint;
        ServerTransactions = new ServerTransactionTable(Timers, timeProvider);
        Nonces = new DigestNonces(timeProvider);
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

    // The SDP offer of the current second (its session id and version are the time in seconds, RFC 4566 5.2), shared
    // by the calls placed in that second instead of written again for each: the same bytes either way.
    private CurrentOffer? _offer;

    /// <summary>Our SDP offer (or answer) now: <see cref="SdpBody.CreateOffer"/> for this second. The bytes are shared: never changed.</summary>
    internal byte[] SdpOffer()
    {
        var second = (ulong)TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (_offer is { } offer && offer.Second == second)
        {
            return offer.Bytes;
        }
        var bytes = SdpBody.CreateOffer(AdvertisedHost, Options.MediaPort, second);
        _offer = new CurrentOffer(second, bytes);
        return bytes;
    }

    private sealed record CurrentOffer(ulong Second, byte[] Bytes);

    internal ISipTransport Transport => _transport;

    /// <summary>The TCP transport, or null when <see cref="SipEndpointOptions.EnableTcp"/> is off.</summary>
    internal ISipTransport? TcpTransport => _tcp;

    internal UdpTransport UdpTransport => _transport;

    internal ClientTransactionTable ClientTransactions { get; } = new();

    internal ServerTransactionTable ServerTransactions { get; }

    /// <summary>Nonces of the digest challenges incoming calls are answered with (<see cref="IncomingSipCall.ChallengeAsync"/>).</summary>
    internal DigestNonces Nonces { get; }

    internal int ActiveCallCount => _calls.Count;

    internal int IncomingCallCount => _incoming.Count;

    internal int InviteServerTransactionCount => _inviteServerTransactions.Count;

    /// <summary>INVITE server transactions in <paramref name="state"/> (diagnostics and tests).</summary>
    internal int CountInviteServerTransactions(InviteServerTransactionState state) => _inviteServerTransactions.Values.Count(t => t.State == state);

    /// <summary>
    /// Accepts incoming calls: each new INVITE (no To tag) gets 100 Trying from its server transaction and
    /// is handed to <paramref name="handler"/> as an <see cref="IncomingSipCall"/>, which must then answer or
    /// reject it. The handler runs on the receive loop and must not block. Until this is called, an INVITE
    /// is answered 501 Not Implemented.
    /// </summary>
    /// <param name="handler">Called once per new incoming call.</param>
    public void AcceptIncomingCalls(Action<IncomingSipCall> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _incomingCallHandler = handler;
    }

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
        endpoint._tcp?.Start();
        SipLog.Listening(logger, endpoint.LocalEndPoint);
        return endpoint;
    }

    /// <summary>RFC 3261 18.1.1 / RFC 3581: our Via with a fresh branch and <c>rport</c>.</summary>
    internal string NewVia(ISipTransport transport) => string.Create(
        CultureInfo.InvariantCulture,
        $"SIP/2.0/{transport.Protocol} {AdvertisedHost}:{LocalEndPoint.Port};branch={SipTokens.NewBranch()};rport");

    /// <summary>RFC 3261 8.1.1.8: where the far end sends in-dialog requests; <c>transport=tcp</c> keeps them on TCP.</summary>
    internal string ContactFor(string user, ISipTransport transport) => string.Create(
        CultureInfo.InvariantCulture,
        $"<sip:{user}@{AdvertisedHost}:{LocalEndPoint.Port}{(transport.IsReliable ? ";transport=tcp" : string.Empty)}>");

    internal void Register(SipCall call) => _calls[call.CallId] = call;

    internal void Unregister(SipCall call) => _calls.TryRemove(new KeyValuePair<string, SipCall>(call.CallId, call));

    internal void Unregister(IncomingSipCall call) => _incoming.TryRemove(new KeyValuePair<string, IncomingSipCall>(call.CallId, call));

    /// <summary>Puts back a call taken out of the table for a final that could not be sent after all.</summary>
    internal void Register(IncomingSipCall call) => _incoming.TryAdd(call.CallId, call);

    internal void Respond(SipRequest request, IPEndPoint source, ISipTransport transport, int statusCode, string reasonPhrase, string? toTag = null, IEnumerable<SipHeader>? extraHeaders = null, ReadOnlyMemory<byte> body = default) =>
        ServerTransactions.Respond(request, source, transport, SipResponseFactory.Create(request, statusCode, reasonPhrase, toTag, extraHeaders, body));

    /// <summary>
    /// Where an in-dialog request goes: the next hop's address when it is an IP literal, else the address
    /// the INVITE went to (no DNS on the receive path; RFC 3263 lookups are out of scope).
    /// </summary>
    internal static IPEndPoint ResolveNextHop(SipUri nextHop, IPEndPoint fallback) =>
        // Most dialogs go on where the INVITE went: that endpoint is shared rather than copied into every call.
        LiteralEndPoint(nextHop, fallback) ?? fallback;

    /// <summary>
    /// The endpoint of <paramref name="uri"/> when its host is an IP literal (port 5060 unless given), else null:
    /// <paramref name="known"/> itself when it is that same endpoint, so that a peer reached again and again is not
    /// copied each time.
    /// </summary>
    internal static IPEndPoint? LiteralEndPoint(SipUri uri, IPEndPoint? known)
    {
        if (!IPAddress.TryParse(uri.Host.AsSpan().Trim(['[', ']']), out var address))
        {
            return null;
        }
        var port = uri.Port ?? 5060;
        return known is not null && known.Port == port && known.Address.Equals(address) ? known : new IPEndPoint(address, port);
    }

    private void OnMessage(SipMessage message, IPEndPoint source, ISipTransport transport)
    {
        switch (message)
        {
            case SipResponse response:
                OnResponse(response);
                break;
            case SipRequest request:
                OnRequest(request, source, transport);
                break;
        }
    }

    /// <summary>A TCP send that failed after <c>Send</c> returned: the transaction ends with a transport error.</summary>
    private void OnSendFailed(SipMessage message, IPEndPoint destination)
    {
        if (message is SipRequest request && ClientTransactions.TryGet(request, out var transaction))
        {
            transaction.OnTransportError();
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

    private void OnRequest(SipRequest request, IPEndPoint source, ISipTransport transport)
    {
        if (request.Method == SipMethods.Ack)
        {
            // RFC 3261 17.2.1: an ACK is never answered. On the INVITE's branch it ends a non-2xx final's
            // retransmissions (17.2.3); on a new branch it confirms our 2xx (13.3.1.4), or a re-INVITE's.
            if (InviteServerTransaction.KeyOf(request) is { } ackKey && _inviteServerTransactions.TryGetValue(ackKey, out var answered) && answered.OnAck())
            {
                return;
            }

            if (request.CallId is { } ackCallId && _incoming.TryGetValue(ackCallId, out var acknowledged))
            {
                acknowledged.TryAcknowledge(request);
            }

            return;
        }

        if (request.Method is SipMethods.Invite or SipMethods.Cancel
            && InviteServerTransaction.KeyOf(request) is { } key && _inviteServerTransactions.TryGetValue(key, out var pending))
        {
            if (request.Method == SipMethods.Invite)
            {
                // RFC 3261 17.2.3: a retransmitted INVITE belongs to its server transaction.
                pending.OnRetransmission();
                return;
            }

            if (ServerTransactions.TryRetransmit(request, source, transport))
            {
                return;
            }

            if (request.CallId is { } cancelCallId && _incoming.TryGetValue(cancelCallId, out var canceled))
            {
                // RFC 3261 9.2: a CANCEL matches the INVITE server transaction with its branch.
                canceled.OnCancel(request, source, transport);
            }
            else
            {
                // RFC 3261 9.2: the final response was already sent; the CANCEL gets 200 and changes nothing.
                Respond(request, source, transport, 200, "OK", SipTokens.NewTag());
            }

            return;
        }

        if (ServerTransactions.TryRetransmit(request, source, transport))
        {
            return;
        }

        if (request.To?.Tag is not null)
        {
            if (request.CallId is { } callId
                && ((_calls.TryGetValue(callId, out var call) && call.TryHandleRequest(request, source, transport))
                    || (_incoming.TryGetValue(callId, out var incoming) && incoming.TryHandleRequest(request, source, transport))))
            {
                return;
            }

            // RFC 3261 12.2.2: a request for a dialog we do not know gets 481.
            SipLog.NoDialog(Logger, request.Method, source);
            Respond(request, source, transport, 481, "Call/Transaction Does Not Exist");
            return;
        }

        switch (request.Method)
        {
            case SipMethods.Options:
                // RFC 3261 11.2: answer an out-of-dialog OPTIONS (trunk keep-alive) with our capabilities.
                Respond(request, source, transport, 200, "OK", SipTokens.NewTag(), [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                break;
            case SipMethods.Cancel:
                // RFC 3261 9.2: no INVITE server transaction matches, so there is nothing to cancel.
                Respond(request, source, transport, 481, "Call/Transaction Does Not Exist");
                break;
            case SipMethods.Invite when _incomingCallHandler is { } handler:
                OnInvite(request, source, transport, handler);
                break;
            default:
                // Incoming calls are out of scope for this user agent client.
                Respond(request, source, transport, 501, "Not Implemented", SipTokens.NewTag(), [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                break;
        }
    }

    /// <summary>
    /// A new INVITE: its server transaction sends 100 Trying (RFC 3261 17.2.1) and the UAS core hands the
    /// call to the handler. A second INVITE with the Call-ID of a call still going is a merged or looped
    /// request (8.2.2.2): 482.
    /// </summary>
    private void OnInvite(SipRequest request, IPEndPoint source, ISipTransport transport, Action<IncomingSipCall> handler)
    {
        if (request.CallId is not { } callId || request.From?.Tag is null || request.CSeq is null
            || InviteServerTransaction.KeyOf(request) is null)
        {
            // RFC 3261 8.1.1: an INVITE without Call-ID, From tag or CSeq cannot make a dialog.
            Respond(request, source, transport, 400, "Bad Request", SipTokens.NewTag());
            return;
        }

        if (_incoming.ContainsKey(callId))
        {
            Respond(request, source, transport, 482, "Loop Detected", SipTokens.NewTag());
            return;
        }

        var transaction = new InviteServerTransaction(request, source, transport, Timers, TimeProvider, Logger);
        if (!_inviteServerTransactions.TryAdd(transaction.Key, transaction))
        {
            // The same INVITE on two connections at once: the first one's transaction answers it.
            if (_inviteServerTransactions.TryGetValue(transaction.Key, out var first))
            {
                first.OnRetransmission();
            }

            return;
        }

        transaction.Terminated += t => _inviteServerTransactions.TryRemove(new KeyValuePair<(string, string), InviteServerTransaction>(t.Key, t));
        var call = new IncomingSipCall(this, transaction, source, transport);
        _incoming[callId] = call;
        transaction.Start();
        SipLog.IncomingCall(Logger, callId, source);
        handler(call);
    }

    /// <summary>Stops receiving, ends the calls still up (locally) and closes the socket.</summary>
    /// <returns>A task that completes when the receive loop has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values)
        {
            call.OnEndpointStopped();
        }

        foreach (var call in _incoming.Values)
        {
            call.OnEndpointStopped();
        }

        foreach (var transaction in _inviteServerTransactions.Values)
        {
            transaction.Abort();
        }

        ClientTransactions.AbortAll();
        ServerTransactions.Dispose();
        await _transport.DisposeAsync().ConfigureAwait(false);
        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }
    }
}
