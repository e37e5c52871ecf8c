using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transactions;

/// <summary>States of the non-INVITE client transaction (RFC 3261 17.1.2.2, Figure 6).</summary>
internal enum NonInviteClientTransactionState
{
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

/// <summary>
/// The non-INVITE client transaction of RFC 3261 17.1.2 (CANCEL, BYE): Timer E retransmits, doubling
/// up to T2; Timer F gives up; Timer K absorbs retransmitted finals.
/// </summary>
internal sealed class NonInviteClientTransaction : ClientTransaction
{
    private ITimer? _timerE;
    private TimeSpan _timerEInterval;

    public NonInviteClientTransaction(
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

    public NonInviteClientTransactionState State { get; private set; } = NonInviteClientTransactionState.Trying;

    protected override bool IsPending => State is NonInviteClientTransactionState.Trying or NonInviteClientTransactionState.Proceeding;

    protected override void MarkTerminated() => State = NonInviteClientTransactionState.Terminated;

    protected override void StartRetransmitTimer_NeedsLock()
    {
        // RFC 3261 17.1.2.2: Timer E starts at T1 on an unreliable transport.
        _timerEInterval = Timers.T1;
        _timerE = StartTimer(OnTimerE, _timerEInterval);
    }

    // RFC 3261 17.1.2.2: Timer F = 64*T1 on any transport.
    protected override void StartTimeoutTimer_NeedsLock() => StartTimer(OnTimerF, Timers.TimeoutInterval);

    public override void OnResponse(SipResponse response)
    {
        IClientTransactionUser? passUpTo = null;
        var terminated = false;
        lock (Sync)
        {
            if (State is NonInviteClientTransactionState.Trying or NonInviteClientTransactionState.Proceeding)
            {
                passUpTo = User;
                if (response.IsProvisional)
                {
                    State = NonInviteClientTransactionState.Proceeding;
                }
                else
                {
                    State = NonInviteClientTransactionState.Completed;
                    StopTimers();
                    _timerE = null;
                    // Completed only absorbs retransmitted finals (RFC 3261 17.1.2.2): the TU has its final below,
                    // and the request is never sent again.
                    ReleaseUser_NeedsLock();
                    ReleaseRequest_NeedsLock();
                    var timerK = Timers.TimerK(Transport.IsReliable);
                    if (timerK == TimeSpan.Zero)
                    {
                        State = NonInviteClientTransactionState.Terminated;
                        terminated = true;
                    }
                    else
                    {
                        Linger_NeedsLock(timerK);
                    }
                }
            }
        }

        passUpTo?.OnResponse(this, response);

        if (terminated)
        {
            RaiseTerminated();
        }
    }

    private void OnTimerE()
    {
        var failed = false;
        lock (Sync)
        {
            if (State is not (NonInviteClientTransactionState.Trying or NonInviteClientTransactionState.Proceeding) || _timerE is null)
            {
                return;
            }

            SipLog.Retransmitting(Logger, Method, Branch);
            if (TrySend(Request))
            {
                // RFC 3261 17.1.2.2: E doubles up to T2 in Trying; in Proceeding it fires every T2.
                _timerEInterval = State == NonInviteClientTransactionState.Proceeding
                    ? Timers.T2
                    : TimeSpan.FromTicks(Math.Min((_timerEInterval * 2).Ticks, Timers.T2.Ticks));
                _timerE.Change(_timerEInterval, Timeout.InfiniteTimeSpan);
            }
            else
            {
                failed = true;
                State = NonInviteClientTransactionState.Terminated;
                StopTimers();
            }
        }

        if (failed)
        {
            ReportTransportError();
        }
    }

    private void OnTimerF()
    {
        lock (Sync)
        {
            if (State is not (NonInviteClientTransactionState.Trying or NonInviteClientTransactionState.Proceeding))
            {
                return;
            }

            State = NonInviteClientTransactionState.Terminated;
            StopTimers();
        }

        SipLog.TransactionTimedOut(Logger, Branch, Method);
        User.OnFailure(this, ClientTransactionFailure.Timeout);
        RaiseTerminated();
    }

    internal override void EndLingering()
    {
        lock (Sync)
        {
            if (State != NonInviteClientTransactionState.Completed)
            {
                return;
            }

            State = NonInviteClientTransactionState.Terminated;
            StopTimers();
        }

        RaiseTerminated();
    }
}
