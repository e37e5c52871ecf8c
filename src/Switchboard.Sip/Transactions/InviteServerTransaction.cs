using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transactions;

/// <summary>States of the INVITE server transaction (RFC 3261 17.2.1, Accepted from RFC 6026 7.1).</summary>
internal enum InviteServerTransactionState
{
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// <summary>
/// The INVITE server transaction of RFC 3261 17.2.1 with the RFC 6026 Accepted state: sends 100 Trying at
/// once, answers a retransmitted INVITE with the last provisional or non-2xx final response, retransmits
/// a non-2xx final on Timer G until the ACK (or Timer H), absorbs that ACK and its retransmissions until
/// Timer I. A 2xx moves it to Accepted, where retransmitted INVITEs are absorbed until Timer L; the 2xx
/// itself is retransmitted by the UAS core until its ACK (RFC 3261 13.3.1.4). Matched by branch and
/// sent-by (17.2.3). Never calls the TU: the UAS core drives it.
/// </summary>
internal sealed class InviteServerTransaction
{
    private readonly ISipTransport _transport;
    private readonly IPEndPoint _destination;
    private readonly SipTimers _timers;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private TransactionTimers _running;
    private SipResponse? _lastResponse;
    private ITimer? _timerG;
    private TimeSpan _timerGInterval;

    public InviteServerTransaction(SipRequest invite, IPEndPoint source, ISipTransport transport, SipTimers timers, TimeProvider timeProvider, ILogger logger)
    {
        Request = invite;
        Key = KeyOf(invite) ?? throw new ArgumentException("The INVITE has no Via.", nameof(invite));
        _transport = transport;
        _destination = ServerTransactionTable.ResponseDestination(invite, source, transport);
        _timers = timers;
        _running = new TransactionTimers(timeProvider);
        _logger = logger;
    }

    public SipRequest Request { get; }

    public (string Branch, string SentBy) Key { get; }

    public InviteServerTransactionState State { get; private set; } = InviteServerTransactionState.Proceeding;

    /// <summary>Raised once when the transaction reaches Terminated, so the endpoint can forget it.</summary>
    public event Action<InviteServerTransaction>? Terminated;

    /// <summary>
    /// RFC 3261 17.2.3: a request matches when the top Via's branch and sent-by match (an ACK or CANCEL
    /// carries the INVITE's branch). Null without a Via.
    /// </summary>
    public static (string Branch, string SentBy)? KeyOf(SipRequest request) =>
        request.TopVia is { } via ? (via.Branch ?? string.Empty, via.Host + ":" + via.Port) : null;

    /// <summary>RFC 3261 17.2.1: a 100 Trying right away keeps the client from retransmitting.</summary>
    public void Start() => SendProvisional(SipResponseFactory.Create(Request, 100, "Trying", toTag: null));

    /// <summary>A provisional response from the TU; false once a final response was sent.</summary>
    public bool SendProvisional(SipResponse response)
    {
        lock (_sync)
        {
            if (State != InviteServerTransactionState.Proceeding)
            {
                return false;
            }

            _lastResponse = response;
            TrySend(response);
            return true;
        }
    }

    /// <summary>
    /// RFC 6026 7.1: a 2xx moves the transaction to Accepted, where retransmitted INVITEs are absorbed for
    /// Timer L = 64*T1; the UAS core retransmits the 2xx itself. False once a final response was sent.
    /// </summary>
    public bool SendSuccess(SipResponse response)
    {
        lock (_sync)
        {
            if (State != InviteServerTransactionState.Proceeding)
            {
                return false;
            }

            State = InviteServerTransactionState.Accepted;
            _lastResponse = response;
            TrySend(response);
            StartTimer(OnEnd, _timers.TimeoutInterval);
            return true;
        }
    }

    /// <summary>
    /// RFC 3261 17.2.1: a 300-699 final moves the transaction to Completed; on UDP Timer G retransmits it
    /// (T1 doubling up to T2) until the ACK arrives, Timer H (64*T1) gives up waiting. False once a final
    /// response was sent.
    /// </summary>
    public bool SendFailure(SipResponse response)
    {
        lock (_sync)
        {
            if (State != InviteServerTransactionState.Proceeding)
            {
                return false;
            }

            State = InviteServerTransactionState.Completed;
            _lastResponse = response;
            TrySend(response);
            if (!_transport.IsReliable)
            {
                _timerGInterval = _timers.T1;
                _timerG = StartTimer(OnTimerG, _timerGInterval);
            }

            StartTimer(OnEnd, _timers.TimeoutInterval);
            return true;
        }
    }

    /// <summary>RFC 3261 17.2.1: a retransmitted INVITE gets the last provisional or non-2xx final again; Accepted absorbs it.</summary>
    public void OnRetransmission()
    {
        lock (_sync)
        {
            if (State is InviteServerTransactionState.Proceeding or InviteServerTransactionState.Completed && _lastResponse is not null)
            {
                TrySend(_lastResponse);
            }
        }
    }

    /// <summary>
    /// An ACK on this transaction's branch (the ACK for a non-2xx final): Completed → Confirmed, Timer G
    /// stops, Timer I (T4 on UDP, 0 on TCP) absorbs ACK retransmissions. Returns true when absorbed here.
    /// </summary>
    public bool OnAck()
    {
        var terminated = false;
        lock (_sync)
        {
            if (State == InviteServerTransactionState.Confirmed)
            {
                return true;
            }

            if (State != InviteServerTransactionState.Completed)
            {
                return false;
            }

            StopTimers();
            _timerG = null;
            var timerI = _timers.TimerI(_transport.IsReliable);
            if (timerI == TimeSpan.Zero)
            {
                State = InviteServerTransactionState.Terminated;
                terminated = true;
            }
            else
            {
                State = InviteServerTransactionState.Confirmed;
                StartTimer(OnEnd, timerI);
            }
        }

        if (terminated)
        {
            Terminated?.Invoke(this);
        }

        return true;
    }

    /// <summary>Endpoint shutdown: stop every timer without sending anything.</summary>
    public void Abort()
    {
        lock (_sync)
        {
            StopTimers();
            State = InviteServerTransactionState.Terminated;
        }
    }

    private void OnTimerG()
    {
        lock (_sync)
        {
            if (State != InviteServerTransactionState.Completed || _timerG is null || _lastResponse is null)
            {
                return;
            }

            SipLog.Retransmitting(_logger, "response " + _lastResponse.StatusCode, Key.Branch);
            TrySend(_lastResponse);
            // RFC 3261 17.2.1: Timer G doubles up to T2.
            _timerGInterval = _timerGInterval * 2 > _timers.T2 ? _timers.T2 : _timerGInterval * 2;
            _timerG.Change(_timerGInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Timer H (Completed: no ACK came), Timer I (Confirmed) or Timer L (Accepted) fired.</summary>
    private void OnEnd()
    {
        lock (_sync)
        {
            if (State is not (InviteServerTransactionState.Completed or InviteServerTransactionState.Confirmed or InviteServerTransactionState.Accepted))
            {
                return;
            }

            if (State == InviteServerTransactionState.Completed)
            {
                SipLog.TransactionTimedOut(_logger, Key.Branch, "INVITE (no ACK for the final response)");
            }

            State = InviteServerTransactionState.Terminated;
            StopTimers();
        }

        Terminated?.Invoke(this);
    }

    private ITimer StartTimer(Action callback, TimeSpan due) => _running.Start(callback, due);

    private void StopTimers() => _running.StopAll();

    private void TrySend(SipResponse response)
    {
        try
        {
            _transport.Send(response, _destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // RFC 3261 17.2.4: a failed response send is dropped; the client retransmits its INVITE.
            SipLog.SendFailed(_logger, "response " + response.StatusCode, _destination, exception);
        }
    }
}
