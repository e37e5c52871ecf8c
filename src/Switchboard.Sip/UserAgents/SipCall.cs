using System.Net;
using System.Threading.Channels;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// One outgoing call placed by <see cref="UserAgentClient.InviteAsync"/>: follow it on <see cref="Events"/>
/// (or await <see cref="Completion"/>), end it with <see cref="CancelAsync"/> before an answer or
/// <see cref="ByeAsync"/> after. All state changes happen under one lock; events are written to an
/// unbounded channel, so the SIP receive loop never waits for the reader.
/// </summary>
public sealed partial class SipCall : IClientTransactionUser
{
    private readonly SipEndpoint _endpoint;
    private readonly SipInviteRequest _request;
    private readonly IPEndPoint _destination;
    private readonly ISipTransport _transport;
    private readonly Lock _lock = new();
    // Unbounded in practice (a call raises a handful of events): a bounded channel that never fills, because its queue
    // starts at four entries where the unbounded channel's starts at a 32-entry segment, for every call.
    private readonly Channel<SipCallEvent> _events = Channel.CreateBounded<SipCallEvent>(new BoundedChannelOptions(int.MaxValue));
    private readonly TaskCompletionSource<SipCallEvent> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _fromValue;
    private readonly string _contactValue;
    private readonly byte[] _sdpOffer;
    private uint _cseq;
    private SipRequest _invite = null!;
    private InviteClientTransaction? _inviteTransaction;
    private Dialog? _dialog;
    private SipRequest? _ackForSuccess;
    private bool _cancelRequested;
    private bool _cancelSent;
    private bool _earlyMediaReported;
    private ITimer? _cancelGuard;
    private NonInviteClientTransaction? _byeTransaction;
    // The Request-URI of our BYE, for its retry with credentials (its transaction lets the request go once answered).
    private SipUri? _byeUri;

    internal SipCall(SipEndpoint endpoint, SipInviteRequest request, IPEndPoint destination, ISipTransport transport)
    {
        foreach (var (name, value) in request.Headers)
        {
            if (!SipSyntax.IsToken(name) || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"Header '{name}' is not a valid SIP header.", nameof(request));
            }
        }

        _endpoint = endpoint;
        _request = request;
        _destination = destination;
        _transport = transport;
        CallId = SipTokens.NewCallId(endpoint.AdvertisedHost);
        var display = request.FromDisplayName is { } displayName
            ? "\"" + displayName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\" "
            : string.Empty;
        _fromValue = $"{display}<sip:{request.FromUser}@{endpoint.AdvertisedHost}>;tag={SipTokens.NewTag()}";
        _contactValue = endpoint.ContactFor(request.FromUser, transport);
        // RFC 3261 8.1.1.5: the initial CSeq is arbitrary but below 2^31; a random start helps tell attempts apart in traces.
        _cseq = SipTokens.NewSequence();
        _sdpOffer = request.Sdp is { } sdp
            ? System.Text.Encoding.UTF8.GetBytes(sdp)
            : endpoint.SdpOffer();
    }

    /// <summary>The Call-ID of every request of this call (RFC 3261 8.1.1.4).</summary>
    public string CallId { get; }

    /// <summary>Where the call is now.</summary>
    public SipCallState State { get; private set; } = SipCallState.Calling;

    /// <summary>
    /// Every event in order: any <see cref="SipCallRinging"/> / <see cref="SipCallEarlyMedia"/>, then
    /// <see cref="SipCallAnswered"/> and <see cref="SipCallTerminated"/>, or a <see cref="SipCallFailed"/>.
    /// Completes after the terminal event.
    /// </summary>
    public ChannelReader<SipCallEvent> Events => _events.Reader;

    /// <summary>The terminal event: a <see cref="SipCallFailed"/> or a <see cref="SipCallTerminated"/>.</summary>
    public Task<SipCallEvent> Completion => _completion.Task;

    /// <summary>
    /// Cancels a call that was not answered yet (RFC 3261 9.1). Before any provisional response the CANCEL
    /// waits for one; the call then ends with <see cref="SipCallFailed"/> (487, <c>WasCanceled</c>). If the
    /// callee answers while the CANCEL is in flight, the call is answered and hung up at once with a BYE.
    /// </summary>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False when the call was already answered or over (use <see cref="ByeAsync"/>).</returns>
    public ValueTask<bool> CancelAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_cancelRequested)
            {
                return ValueTask.FromResult(State != SipCallState.Ended);
            }

            if (State is not (SipCallState.Calling or SipCallState.Proceeding))
            {
                return ValueTask.FromResult(false);
            }

            _cancelRequested = true;
            if (State == SipCallState.Proceeding)
            {
                SendCancel();
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <summary>
    /// Hangs up an answered call with a BYE (RFC 3261 15.1.1); the call ends with
    /// <see cref="SipCallTerminated"/> (<see cref="SipCallParty.Local"/>) when the BYE is answered or times out.
    /// </summary>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False when the call is not answered (use <see cref="CancelAsync"/>) or already ending.</returns>
    public ValueTask<bool> ByeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (State != SipCallState.Answered)
            {
                return ValueTask.FromResult(false);
            }

            SendBye(null);
            return ValueTask.FromResult(true);
        }
    }

    internal void Start()
    {
        lock (_lock)
        {
            _invite = BuildInvite([]);
            SipLog.InviteSent(_endpoint.Logger, CallId, _destination);
            SendInvite();
        }
    }

    internal void OnEndpointStopped()
    {
        lock (_lock)
        {
            if (State is SipCallState.Answered or SipCallState.Terminating)
            {
                End(new SipCallTerminated(Now, SipCallParty.Local, null));
            }
            else if (State != SipCallState.Ended)
            {
                End(new SipCallFailed(Now, 503, "Service Unavailable", IsLocal: true, _cancelRequested));
            }
        }
    }

    void IClientTransactionUser.OnResponse(ClientTransaction transaction, SipResponse response)
    {
        lock (_lock)
        {
            if (transaction == _inviteTransaction)
            {
                OnInviteResponse(response);
            }
            else if (transaction == _byeTransaction)
            {
                OnByeResponse(response);
            }
        }
    }

    void IClientTransactionUser.OnFailure(ClientTransaction transaction, ClientTransactionFailure failure)
    {
        // RFC 3261 8.1.3.1: a timeout counts as 408, a transport error as 503.
        var (code, reason) = failure == ClientTransactionFailure.Timeout ? (408, "Request Timeout") : (503, "Service Unavailable");
        lock (_lock)
        {
            if (State == SipCallState.Ended)
            {
                return;
            }

            if (transaction == _inviteTransaction && State is SipCallState.Calling or SipCallState.Proceeding)
            {
                End(new SipCallFailed(Now, code, reason, IsLocal: true, _cancelRequested));
            }
            else if (transaction == _byeTransaction)
            {
                // Reference 7: a BYE that times out still ends the call.
                End(new SipCallTerminated(Now, SipCallParty.Local, code));
            }
        }
    }

    private DateTimeOffset Now => _endpoint.TimeProvider.GetUtcNow();

    private void Raise(SipCallEvent callEvent) => _events.Writer.TryWrite(callEvent);

    private void End(SipCallEvent terminal)
    {
        State = SipCallState.Ended;
        _cancelGuard?.Dispose();
        Raise(terminal);
        _events.Writer.TryComplete();
        _completion.TrySetResult(terminal);
        _endpoint.Unregister(this);
        if (_inviteTransaction is { } invite && _dialog is { } dialog && _ackForSuccess is { } ack)
        {
            // The INVITE transaction stays up to 32 s (Timer M) for retransmitted 2xx: it ACKs them on its own from
            // now on rather than keep this call alive.
            invite.HandOver(new AckResender(_transport, ack, SipEndpoint.ResolveNextHop(dialog.NextHop, _destination), dialog.Id.RemoteTag, _endpoint.Logger));
        }
        SipLog.Ended(_endpoint.Logger, CallId, terminal);
    }

    private NonInviteClientTransaction StartNonInvite(SipRequest request, IPEndPoint destination)
    {
        var transaction = new NonInviteClientTransaction(request, destination, _transport, _endpoint.Timers, _endpoint.TimeProvider, this, _endpoint.Logger);
        _endpoint.ClientTransactions.Add(transaction);
        return transaction;
    }
}
