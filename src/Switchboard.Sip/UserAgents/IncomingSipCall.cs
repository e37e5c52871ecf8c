using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// One call received by a <see cref="SipEndpoint"/> (the UAS core of RFC 3261 8.2 and 13.3 above an INVITE
/// server transaction). The stack has already sent 100 Trying. Answer it with
/// <see cref="SendProvisionalAsync"/>, then <see cref="AnswerAsync"/> or <see cref="RejectAsync"/>; end an
/// answered call with <see cref="ByeAsync"/>. What the caller does arrives on <see cref="Events"/>:
/// <see cref="IncomingSipCallAcknowledged"/>, then a terminal <see cref="IncomingSipCallCanceled"/>,
/// <see cref="SipCallTerminated"/> or (after <see cref="RejectAsync"/>) <see cref="SipCallFailed"/>.
/// All state changes happen under one lock; events go to an unbounded channel, so the receive loop never waits.
/// </summary>
public sealed partial class IncomingSipCall : IClientTransactionUser
{
    private readonly SipEndpoint _endpoint;
    private readonly InviteServerTransaction _transaction;
    private readonly SipRequest _invite;
    private readonly ISipTransport _transport;
    private readonly Lock _lock = new();
    private readonly Channel<SipCallEvent> _events = Channel.CreateUnbounded<SipCallEvent>();
    private readonly TaskCompletionSource<SipCallEvent> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _localTag = SipTokens.NewTag();
    private readonly string _contactValue;
    private Dialog? _dialog;
    private SipResponse? _success;
    private byte[] _answerSdp = [];
    private ITimer? _successTimer;
    private TimeSpan _successInterval;
    private TimeSpan _successElapsed;
    private bool _byePending;

    internal IncomingSipCall(SipEndpoint endpoint, InviteServerTransaction transaction, IPEndPoint source, ISipTransport transport)
    {
        _endpoint = endpoint;
        _transaction = transaction;
        _invite = transaction.Request;
        _transport = transport;
        RemoteEndPoint = source;
        CallId = _invite.CallId ?? string.Empty;
        RequestUri = _invite.RequestUri.ToString();
        RequestUser = _invite.RequestUri.User;
        var from = _invite.From;
        FromUser = from?.Uri.User;
        FromDisplayName = from?.DisplayName?.Trim('"');
        Sdp = SdpBody.GetSdp(_invite);
        // Our Contact reuses the dialed user only when it is plain (RFC 3261 25.1 user characters we never need to escape).
        var contactUser = !string.IsNullOrEmpty(RequestUser) && RequestUser.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '_' or '.')
            ? RequestUser
            : "switchboard";
        _contactValue = endpoint.ContactFor(contactUser, transport);
    }

    /// <summary>The caller's Call-ID (RFC 3261 8.1.1.4).</summary>
    public string CallId { get; }

    /// <summary>The Request-URI of the INVITE, e.g. <c>sip:+15551234567@switchboard.example</c>.</summary>
    public string RequestUri { get; }

    /// <summary>The user part of the Request-URI (the dialed number on a trunk), or null.</summary>
    public string? RequestUser { get; }

    /// <summary>The user part of the From URI (the caller's number on a trunk), or null.</summary>
    public string? FromUser { get; }

    /// <summary>The display name of the From header, unquoted, or null.</summary>
    public string? FromDisplayName { get; }

    /// <summary>The address the INVITE came from (the UDP source, or the TCP peer).</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The caller's SDP offer, or null when the INVITE had no SDP body.</summary>
    public string? Sdp { get; }

    /// <summary>Where the call is now.</summary>
    public IncomingSipCallState State { get; private set; } = IncomingSipCallState.Proceeding;

    /// <summary>What the caller did, in order; completes after the terminal event.</summary>
    public ChannelReader<SipCallEvent> Events => _events.Reader;

    /// <summary>The terminal event.</summary>
    public Task<SipCallEvent> Completion => _completion.Task;

    /// <summary>
    /// Sends a provisional response (180 Ringing, 183 Session Progress) with our To tag and Contact, which
    /// creates an early dialog (RFC 3261 12.1.1); with <paramref name="sdp"/> it carries early media.
    /// </summary>
    /// <param name="statusCode">101-199.</param>
    /// <param name="reasonPhrase">The reason phrase.</param>
    /// <param name="sdp">An SDP body, or null.</param>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False once a final response was sent or the call ended.</returns>
    public ValueTask<bool> SendProvisionalAsync(int statusCode, string reasonPhrase, string? sdp = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 101);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 199);
        lock (_lock)
        {
            if (State != IncomingSipCallState.Proceeding)
            {
                return ValueTask.FromResult(false);
            }

            var body = sdp is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(sdp);
            return ValueTask.FromResult(_transaction.SendProvisional(CreateResponse(statusCode, reasonPhrase, body)));
        }
    }

    /// <summary>
    /// Answers with 200 OK carrying <paramref name="sdp"/> (or, when null, the endpoint's own SDP: one audio
    /// stream on <see cref="SipEndpointOptions.MediaPort"/>). The 200 is retransmitted (T1 doubling up to T2)
    /// until the caller's ACK; with no ACK after 64*T1 the call is ended with a BYE (RFC 3261 13.3.1.4).
    /// </summary>
    /// <param name="sdp">The SDP answer, or null for the endpoint's own.</param>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False once a final response was sent or the call ended.</returns>
    public ValueTask<bool> AnswerAsync(string? sdp, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (State != IncomingSipCallState.Proceeding)
            {
                return ValueTask.FromResult(false);
            }

            _answerSdp = sdp is null
                ? _endpoint.SdpOffer()
                : Encoding.UTF8.GetBytes(sdp);
            _success = CreateResponse(200, "OK", _answerSdp);
            if (!_transaction.SendSuccess(_success))
            {
                return ValueTask.FromResult(false);
            }

            EnsureDialog();
            State = IncomingSipCallState.Answered;
            SipLog.Answered(_endpoint.Logger, CallId);
            if (!_transport.IsReliable)
            {
                _successInterval = _endpoint.Timers.T1;
                _successElapsed = TimeSpan.Zero;
            }

            // On TCP the 2xx is not retransmitted, but the ACK is still awaited for 64*T1 (RFC 3261 13.3.1.4).
            _successTimer = _endpoint.TimeProvider.CreateTimer(
                _ => OnSuccessTimer(),
                null,
                _transport.IsReliable ? _endpoint.Timers.TimeoutInterval : _successInterval,
                Timeout.InfiniteTimeSpan);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>
    /// Rejects the call with a 300-699 final response; the server transaction retransmits it until the ACK.
    /// The call ends with <see cref="SipCallFailed"/> (<c>IsLocal</c> true: we sent the code).
    /// </summary>
    /// <param name="statusCode">300-699.</param>
    /// <param name="reasonPhrase">The reason phrase.</param>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False once a final response was sent or the call ended.</returns>
    public ValueTask<bool> RejectAsync(int statusCode, string reasonPhrase, CancellationToken cancellationToken = default) =>
        RejectWithHeadersAsync(statusCode, reasonPhrase, []);

    private ValueTask<bool> RejectWithHeadersAsync(int statusCode, string reasonPhrase, IReadOnlyList<SipHeader> extraHeaders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        lock (_lock)
        {
            if (State != IncomingSipCallState.Proceeding)
            {
                return ValueTask.FromResult(false);
            }

            // The caller may send its next INVITE with the same Call-ID as soon as it has this final (a challenge
            // answered with credentials): the call leaves the endpoint's table before the final goes out, or that
            // INVITE, handled on the receive thread meanwhile, would find it still there and get 482 (a loop).
            _endpoint.Unregister(this);
            if (!_transaction.SendFailure(CreateResponse(statusCode, reasonPhrase, ReadOnlyMemory<byte>.Empty, extraHeaders)))
            {
                _endpoint.Register(this);
                return ValueTask.FromResult(false);
            }

            End(new SipCallFailed(Now, statusCode, reasonPhrase, IsLocal: true, WasCanceled: false));
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>
    /// Hangs up an answered call with a BYE (RFC 3261 15.1.1). Before the caller's ACK the BYE waits for it
    /// (or for the 64*T1 ACK timeout). The call ends with <see cref="SipCallTerminated"/> (<see cref="SipCallParty.Local"/>).
    /// </summary>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False when the call is not answered (use <see cref="RejectAsync"/>) or already ending.</returns>
    public ValueTask<bool> ByeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            switch (State)
            {
                case IncomingSipCallState.Answered when !_byePending:
                    _byePending = true;
                    return ValueTask.FromResult(true);
                case IncomingSipCallState.Confirmed:
                    SendBye();
                    return ValueTask.FromResult(true);
                default:
                    return ValueTask.FromResult(false);
            }
        }
    }

    /// <summary>RFC 3261 9.2: a CANCEL matching our INVITE gets 200; before a final response, the INVITE then gets 487.</summary>
    internal void OnCancel(SipRequest cancel, IPEndPoint source, ISipTransport transport)
    {
        lock (_lock)
        {
            _endpoint.Respond(cancel, source, transport, 200, "OK", _localTag);
            if (State != IncomingSipCallState.Proceeding
                || !_transaction.SendFailure(CreateResponse(487, "Request Terminated", ReadOnlyMemory<byte>.Empty)))
            {
                // RFC 3261 9.2: a CANCEL after the final response has no effect on the call.
                return;
            }

            End(new IncomingSipCallCanceled(Now));
        }
    }

    /// <summary>An ACK with our Call-ID on a new branch: the ACK for our 2xx (RFC 3261 13.3.1.4).</summary>
    internal bool TryAcknowledge(SipRequest ack)
    {
        lock (_lock)
        {
            if (_dialog is null || ack.To?.Tag != _localTag || ack.From?.Tag != _dialog.Id.RemoteTag)
            {
                return false;
            }

            if (State != IncomingSipCallState.Answered)
            {
                // A retransmitted ACK, or one for a 2xx we already gave up on: absorbed.
                return true;
            }

            _successTimer?.Dispose();
            _successTimer = null;
            State = IncomingSipCallState.Confirmed;
            Raise(new IncomingSipCallAcknowledged(Now));
            if (_byePending)
            {
                SendBye();
            }

            return true;
        }
    }

    internal void OnEndpointStopped()
    {
        lock (_lock)
        {
            _successTimer?.Dispose();
            if (State is IncomingSipCallState.Answered or IncomingSipCallState.Confirmed or IncomingSipCallState.Terminating)
            {
                End(new SipCallTerminated(Now, SipCallParty.Local, null));
            }
            else if (State != IncomingSipCallState.Ended)
            {
                End(new SipCallFailed(Now, 503, "Service Unavailable", IsLocal: true, WasCanceled: false));
            }
        }
    }

    void IClientTransactionUser.OnResponse(ClientTransaction transaction, SipResponse response)
    {
        lock (_lock)
        {
            // Reference 7: any final response to our BYE (200, 481, 408...) ends the call.
            if (!response.IsProvisional && State == IncomingSipCallState.Terminating)
            {
                End(new SipCallTerminated(Now, SipCallParty.Local, response.StatusCode));
            }
        }
    }

    void IClientTransactionUser.OnFailure(ClientTransaction transaction, ClientTransactionFailure failure)
    {
        lock (_lock)
        {
            if (State == IncomingSipCallState.Terminating)
            {
                // Reference 7: a BYE that times out (408) or cannot be sent (503) still ends the call.
                End(new SipCallTerminated(Now, SipCallParty.Local, failure == ClientTransactionFailure.Timeout ? 408 : 503));
            }
        }
    }

    private DateTimeOffset Now => _endpoint.TimeProvider.GetUtcNow();

    private void Raise(SipCallEvent callEvent) => _events.Writer.TryWrite(callEvent);

    /// <summary>RFC 3261 8.2.6.2 and 12.1.1: our To tag on every response but 100, and a Contact on those that create a dialog.</summary>
    private SipResponse CreateResponse(int statusCode, string reasonPhrase, ReadOnlyMemory<byte> body, IReadOnlyList<SipHeader>? extraHeaders = null)
    {
        var headers = new List<SipHeader>(extraHeaders ?? []);
        if (statusCode < 300)
        {
            headers.Add(new(HeaderNames.Contact, _contactValue));
            headers.Add(new(HeaderNames.Allow, UserAgentClient.Allow));
        }

        headers.Add(new(HeaderNames.UserAgent, _endpoint.Options.UserAgent));
        if (!body.IsEmpty)
        {
            headers.Add(new(HeaderNames.ContentType, SdpBody.ContentType));
        }

        if (statusCode is > 100 and < 300)
        {
            EnsureDialog();
        }

        return SipResponseFactory.Create(_invite, statusCode, reasonPhrase, _localTag, headers, body);
    }

    private void EnsureDialog()
    {
        if (_dialog is null
            && Dialog.TryCreateForServer(_invite, _localTag, SipTokens.NewSequence(), out var dialog))
        {
            _dialog = dialog;
        }
    }

    /// <summary>RFC 3261 13.3.1.4: resend the 2xx at T1, 2*T1... capped at T2 until the ACK; after 64*T1, BYE.</summary>
    private void OnSuccessTimer()
    {
        lock (_lock)
        {
            if (State != IncomingSipCallState.Answered || _successTimer is null || _success is null)
            {
                return;
            }

            _successElapsed += _transport.IsReliable ? _endpoint.Timers.TimeoutInterval : _successInterval;
            if (_successElapsed >= _endpoint.Timers.TimeoutInterval)
            {
                _successTimer.Dispose();
                _successTimer = null;
                SipLog.TransactionTimedOut(_endpoint.Logger, CallId, "ACK for 2xx");
                State = IncomingSipCallState.Confirmed;
                SendBye();
                return;
            }

            SipLog.Retransmitting(_endpoint.Logger, "200", CallId);
            SendDirect(_success, ServerTransactionTable.ResponseDestination(_invite, RemoteEndPoint, _transport));
            _successInterval = _successInterval * 2 > _endpoint.Timers.T2 ? _endpoint.Timers.T2 : _successInterval * 2;
            _successTimer.Change(_successInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>RFC 3261 15.1.1: BYE is a new in-dialog request (next CSeq, new branch) in a non-INVITE transaction.</summary>
    private void SendBye()
    {
        if (_dialog is null)
        {
            End(new SipCallTerminated(Now, SipCallParty.Local, null));
            return;
        }

        State = IncomingSipCallState.Terminating;
        var bye = _dialog.CreateRequest(SipMethods.Bye, _endpoint.NewVia(_transport));
        var transaction = new NonInviteClientTransaction(bye, SipEndpoint.ResolveNextHop(_dialog.NextHop, RemoteEndPoint), _transport,
            _endpoint.Timers, _endpoint.TimeProvider, this, _endpoint.Logger);
        _endpoint.ClientTransactions.Add(transaction);
        transaction.Start();
    }

    private void SendDirect(SipMessage message, IPEndPoint destination)
    {
        try
        {
            _transport.Send(message, destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            SipLog.SendFailed(_endpoint.Logger, "response", destination, exception);
        }
    }

    private void End(SipCallEvent terminal)
    {
        State = IncomingSipCallState.Ended;
        _successTimer?.Dispose();
        _successTimer = null;
        Raise(terminal);
        _events.Writer.TryComplete();
        _completion.TrySetResult(terminal);
        _endpoint.Unregister(this);
        SipLog.Ended(_endpoint.Logger, CallId, terminal);
    }
}
