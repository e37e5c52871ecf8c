using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// Shared parts of the client transactions of RFC 3261 17.1: identity (branch + method, 17.1.3),
/// the request, the transport and per-transaction timers on <see cref="TimeProvider"/>.
/// Each subclass is a state machine guarded by one lock; the TU is called after the lock is released.
/// </summary>
internal abstract class ClientTransaction
{
    private TransactionTimers _timers;
    private SipRequest? _request;
    private IClientTransactionUser _user;

    protected ClientTransaction(
        SipRequest request,
        IPEndPoint destination,
        ISipTransport transport,
        SipTimers timers,
        TimeProvider timeProvider,
        IClientTransactionUser user,
        ILogger logger)
    {
        _request = request;
        Method = request.Method;
        Destination = destination;
        Transport = transport;
        Timers = timers;
        _timers = new TransactionTimers(timeProvider);
        _user = user;
        Logger = logger;
        Branch = request.TopVia?.Branch ?? throw new ArgumentException("The request has no Via branch.", nameof(request));
    }

    public string Branch { get; }

    public string Method { get; }

    /// <summary>The request, until the transaction lets it go: a non-INVITE once answered, an INVITE once its call ended (<see cref="ReleaseRequest_NeedsLock"/>).</summary>
    public SipRequest Request => _request ?? throw new InvalidOperationException("The transaction no longer holds its request.");

    public IPEndPoint Destination { get; }

    /// <summary>Raised once when the transaction reaches Terminated (after <see cref="Table"/> forgot it).</summary>
    public event Action<ClientTransaction>? Terminated;

    /// <summary>The table the transaction is registered in (<see cref="ClientTransactionTable.Add"/>), which forgets it once it is terminated.</summary>
    internal ClientTransactionTable? Table { get; set; }

    protected Lock Sync { get; } = new();

    protected ISipTransport Transport { get; }

    protected SipTimers Timers { get; }

    /// <summary>The TU, or one that ignores everything once the transaction only absorbs retransmissions.</summary>
    protected IClientTransactionUser User => _user;

    protected ILogger Logger { get; }

    /// <summary>Sends the request and starts the timers.</summary>
    /// <summary>
    /// Sends the request and arms the transaction's timers: the retransmit timer on an unreliable
    /// transport only, the timeout timer always (RFC 3261 17.1.1.2, 17.1.2.2). A send that fails ends
    /// the transaction at once with a transport error (RFC 3261 8.1.3.1).
    /// </summary>
    public void Start()
    {
        bool sent;
        lock (Sync)
        {
            sent = TrySend(Request);
            if (sent)
            {
                if (!Transport.IsReliable)
                {
                    StartRetransmitTimer_NeedsLock();
                }
                StartTimeoutTimer_NeedsLock();
            }
            else
            {
                MarkTerminated();
            }
        }

        if (!sent)
        {
            ReportTransportError();
        }
    }

    /// <summary>Timer A (INVITE) or E (non-INVITE), starting at T1.</summary>
    protected abstract void StartRetransmitTimer_NeedsLock();

    /// <summary>Timer B (INVITE) or F (non-INVITE), 64*T1.</summary>
    protected abstract void StartTimeoutTimer_NeedsLock();

    /// <summary>A response matched to this transaction by <see cref="ClientTransactionTable"/>.</summary>
    public abstract void OnResponse(SipResponse response);

    /// <summary>
    /// Stops every timer and leaves the table without notifying the TU: endpoint shutdown, or RFC 3261 9.1
    /// (a cancelled INVITE with no final response after 64*T1 is destroyed).
    /// </summary>
    public void Abort()
    {
        lock (Sync)
        {
            StopTimers();
            MarkTerminated();
            // A lingering transaction stays in its clock's linger queue until it is due: it keeps nothing of its call.
            ReleaseUser_NeedsLock();
        }

        RaiseTerminated();
    }

    /// <summary>
    /// The transport reported, after the fact, that the request could not be sent (a TCP connection that
    /// failed): RFC 3261 8.1.3.1 and 17.1.1.2 end a pending transaction with a transport error (503).
    /// </summary>
    public void OnTransportError()
    {
        lock (Sync)
        {
            if (!IsPending)
            {
                return;
            }

            StopTimers();
            MarkTerminated();
        }

        ReportTransportError();
    }

    /// <summary>Tells the TU the transaction ended on a transport error; called after <see cref="Sync"/> is released.</summary>
    protected void ReportTransportError()
    {
        User.OnFailure(this, ClientTransactionFailure.TransportError);
        RaiseTerminated();
    }

    /// <summary>True while no final response arrived (Calling/Proceeding, Trying/Proceeding); read under <see cref="Sync"/>.</summary>
    protected abstract bool IsPending { get; }

    /// <summary>Moves the state machine to Terminated; called under <see cref="Sync"/>.</summary>
    protected abstract void MarkTerminated();

    protected ITimer StartTimer(Action callback, TimeSpan due) => _timers.Start(callback, due);

    /// <summary>
    /// Keeps the transaction, with no timer of its own, to absorb retransmissions for <paramref name="duration"/> (Timer D,
    /// K or M); <see cref="EndLingering"/> follows, from the clock's <see cref="LingerQueue"/>. Called under <see cref="Sync"/>.
    /// </summary>
    protected void Linger_NeedsLock(TimeSpan duration) => LingerQueue.For(_timers.Clock).Add(this, duration);

    /// <summary>The time given to <see cref="Linger_NeedsLock"/> has passed: a transaction still lingering terminates.</summary>
    internal abstract void EndLingering();

    protected void StopTimers() => _timers.StopAll();

    protected bool TrySend(SipMessage message)
    {
        try
        {
            Transport.Send(message, Destination);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // RFC 3261 8.1.3.1: a transport failure is reported to the TU as a 503.
            SipLog.SendFailed(Logger, Method, Destination, exception);
            return false;
        }
    }

    protected void RaiseTerminated()
    {
        Table?.Remove(this);
        Terminated?.Invoke(this);
    }

    /// <summary>
    /// Lets go of the TU (for <paramref name="replacement"/>, or one that ignores everything): a transaction that
    /// lingers only to absorb retransmissions (Timer K, D or M, up to 32 s) must not keep its call and all the call
    /// refers to alive that long. Called under <see cref="Sync"/>.
    /// </summary>
    protected void ReleaseUser_NeedsLock(IClientTransactionUser? replacement = null) => _user = replacement ?? IgnoringUser.Instance;

    /// <summary>Lets go of the request once nothing will send or read it again; called under <see cref="Sync"/>.</summary>
    protected void ReleaseRequest_NeedsLock() => _request = null;

    private sealed class IgnoringUser : IClientTransactionUser
    {
        public static readonly IgnoringUser Instance = new();

        public void OnResponse(ClientTransaction transaction, SipResponse response)
        {
        }

        public void OnFailure(ClientTransaction transaction, ClientTransactionFailure failure)
        {
        }
    }
}
