using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transactions;

/// <summary>States of the INVITE client transaction (RFC 3261 17.1.1.2, Accepted from RFC 6026 7.2).</summary>
internal enum InviteClientTransactionState
{
    Calling,
    Proceeding,
    Completed,
    Accepted,
    Terminated,
}

/// <summary>
/// The INVITE client transaction of RFC 3261 17.1.1 with the RFC 6026 Accepted state: retransmits on
/// Timer A, gives up on Timer B, ACKs non-2xx finals itself and absorbs their retransmissions until
/// Timer D, and passes every 2xx to the TU (which ACKs it) until Timer M.
/// </summary>
internal sealed class InviteClientTransaction : ClientTransaction
{
    private ITimer? _timerA;
    private TimeSpan _timerAInterval;
    private SipRequest? _ack;

    public InviteClientTransaction(
        SipRequest request,
        IPEndPoint destination,
        ISipTransport transport,
        SipTimers timers,
        TimeProvider timeProvider,
        IClientTransactionUser user,
        ILogger logger)
        : base(request, destination, transport, timers, timeProvider, user, logger)
    {
    }

    public InviteClientTransactionState State { get; private set; } = InviteClientTransactionState.Calling;

    /// <summary>True once any provisional arrived: RFC 3261 9.1 allows CANCEL only from then on.</summary>
    public bool HasProvisional { get; private set; }

    protected override bool IsPending => State is InviteClientTransactionState.Calling or InviteClientTransactionState.Proceeding;

    protected override void MarkTerminated() => State = InviteClientTransactionState.Terminated;

    protected override void StartRetransmitTimer_NeedsLock()
    {
        // RFC 3261 17.1.1.2: Timer A starts at T1 on an unreliable transport.
        _timerAInterval = Timers.T1;
        _timerA = StartTimer(OnTimerA, _timerAInterval);
    }

    // RFC 3261 17.1.1.2: Timer B = 64*T1 on any transport.
    protected override void StartTimeoutTimer_NeedsLock() => StartTimer(OnTimerB, Timers.TimeoutInterval);

    public override void OnResponse(SipResponse response)
    {
        IClientTransactionUser? passUpTo = null;
        var terminated = false;
        lock (Sync)
        {
            switch (State)
            {
                case InviteClientTransactionState.Calling or InviteClientTransactionState.Proceeding:
                    passUpTo = User;
                    if (response.IsProvisional)
                    {
                        // RFC 3261 17.1.1.2: a provisional stops retransmissions; Timer B applies only in Calling.
                        HasProvisional = true;
                        State = InviteClientTransactionState.Proceeding;
                        StopTimers();
                        _timerA = null;
                    }
                    else if (response.IsSuccess)
                    {
                        // RFC 6026 7.2: Accepted absorbs forked or retransmitted 2xx for Timer M = 64*T1.
                        State = InviteClientTransactionState.Accepted;
                        StopTimers();
                        Linger_NeedsLock(Timers.TimeoutInterval);
                    }
                    else
                    {
                        // RFC 3261 17.1.1.3: ACK every non-2xx final on the same branch; Timer D keeps the
                        // transaction to re-ACK retransmissions of that final.
                        State = InviteClientTransactionState.Completed;
                        StopTimers();
                        _ack = CreateAck(response);
                        TrySend(_ack);
                        // Completed re-ACKs retransmissions itself (Timer D, 32 s on UDP): the TU has its final below.
                        ReleaseUser_NeedsLock();
                        var timerD = SipTimers.TimerD(Transport.IsReliable);
                        if (timerD == TimeSpan.Zero)
                        {
                            State = InviteClientTransactionState.Terminated;
                            terminated = true;
                        }
                        else
                        {
                            Linger_NeedsLock(timerD);
                        }
                    }

                    break;
                case InviteClientTransactionState.Completed when response.IsFinal && !response.IsSuccess && _ack is not null:
                    TrySend(_ack);
                    break;
                case InviteClientTransactionState.Accepted when response.IsSuccess:
                    passUpTo = User;
                    break;
            }
        }

        passUpTo?.OnResponse(this, response);

        if (terminated)
        {
            RaiseTerminated();
        }
    }

    /// <summary>
    /// The call this transaction set up has ended: for the rest of Accepted (Timer M, 32 s) a retransmitted 2xx goes
    /// to <paramref name="replacement"/> (which ACKs it again) instead of the call, and the request is let go, so that
    /// the ended call is not kept alive by the transaction. No effect in any other state.
    /// </summary>
    public void HandOver(IClientTransactionUser replacement)
    {
        lock (Sync)
        {
            if (State == InviteClientTransactionState.Accepted)
            {
                ReleaseUser_NeedsLock(replacement);
                ReleaseRequest_NeedsLock();
            }
        }
    }

    /// <summary>
    /// RFC 3261 17.1.1.3: the ACK for a non-2xx final copies Request-URI, Call-ID, From, CSeq number and
    /// Route from the INVITE, the top Via (same branch) from the INVITE, and To (with tag) from the response.
    /// </summary>
    private SipRequest CreateAck(SipResponse response)
    {
        var headers = new List<SipHeader>
        {
            new(HeaderNames.Via, Request.GetValues(HeaderNames.Via).First()),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, Request.GetHeader(HeaderNames.From)!),
            new(HeaderNames.To, response.GetHeader(HeaderNames.To)!),
            new(HeaderNames.CallId, Request.CallId!),
            new(HeaderNames.CSeq, new CSeq(Request.CSeq!.Value.Number, SipMethods.Ack).ToString()),
        };
        headers.AddRange(Request.Headers.Where(h => h.Name.Equals(HeaderNames.Route, StringComparison.OrdinalIgnoreCase)));
        return new SipRequest { Method = SipMethods.Ack, RequestUri = Request.RequestUri, Headers = headers };
    }

    private void OnTimerA()
    {
        var failed = false;
        lock (Sync)
        {
            if (State != InviteClientTransactionState.Calling || _timerA is null)
            {
                return;
            }

            SipLog.Retransmitting(Logger, Method, Branch);
            if (TrySend(Request))
            {
                // RFC 3261 17.1.1.2: Timer A doubles on each retransmission, with no T2 cap for INVITE.
                _timerAInterval *= 2;
                _timerA.Change(_timerAInterval, Timeout.InfiniteTimeSpan);
            }
            else
            {
                failed = true;
                State = InviteClientTransactionState.Terminated;
                StopTimers();
            }
        }

        if (failed)
        {
            ReportTransportError();
        }
    }

    private void OnTimerB()
    {
        lock (Sync)
        {
            if (State != InviteClientTransactionState.Calling)
            {
                return;
            }

            State = InviteClientTransactionState.Terminated;
            StopTimers();
        }

        // RFC 3261 17.1.1.2: Timer B firing in Calling reports a timeout (a local 408) to the TU.
        SipLog.TransactionTimedOut(Logger, Branch, Method);
        User.OnFailure(this, ClientTransactionFailure.Timeout);
        RaiseTerminated();
    }

    internal override void EndLingering()
    {
        lock (Sync)
        {
            if (State is not (InviteClientTransactionState.Completed or InviteClientTransactionState.Accepted))
            {
                return;
            }

            // Timer D (Completed) or Timer M (Accepted) fired: RFC 3261 17.1.1.2, RFC 6026 7.2.
            State = InviteClientTransactionState.Terminated;
            StopTimers();
        }

        RaiseTerminated();
    }
}
