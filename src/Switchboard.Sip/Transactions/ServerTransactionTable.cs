using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// The part of the server transactions (RFC 3261 17.2) a UAC needs for requests it receives (BYE,
/// OPTIONS, re-INVITE): remember the final response and resend it when the request is retransmitted,
/// for Timer J = 64*T1 (17.2.2). Matched by branch, sent-by and method (17.2.3).
/// </summary>
internal sealed class ServerTransactionTable(SipTimers timers, TimeProvider timeProvider) : IDisposable
{
    private readonly ConcurrentDictionary<(string Branch, string SentBy, string Method), Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>True when <paramref name="request"/> retransmits one we answered; the answer is sent again.</summary>
    public bool TryRetransmit(SipRequest request, IPEndPoint source, ISipTransport transport)
    {
        if (Key(request) is not { } key || !_entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        TrySend(transport, entry.Response, ResponseDestination(request, source, transport));
        return true;
    }

    /// <summary>Sends a final response and keeps it for retransmissions of the request.</summary>
    public void Respond(SipRequest request, IPEndPoint source, ISipTransport transport, SipResponse response)
    {
        TrySend(transport, response, ResponseDestination(request, source, transport));
        // RFC 3261 17.2.2: Timer J = 64*T1 on UDP (0 on TCP); RFC 3261 17.2.1 keeps an INVITE's final as long.
        if (transport.IsReliable || Key(request) is not { } key)
        {
            return;
        }

        var entry = new Entry(response);
        if (_entries.TryAdd(key, entry))
        {
            entry.Timer = timeProvider.CreateTimer(
                _ =>
                {
                    if (_entries.TryRemove(key, out var removed))
                    {
                        removed.Timer?.Dispose();
                    }
                },
                null,
                timers.TimeoutInterval,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// RFC 3261 18.2.2 with RFC 3581: on a stream, back on the connection it came in on; on UDP to the source
    /// address (received), and to the source port when the Via asks with <c>rport</c>, else to the sent-by port.
    /// </summary>
    public static IPEndPoint ResponseDestination(SipRequest request, IPEndPoint source, ISipTransport transport)
    {
        if (transport.IsReliable || request.TopVia is not { } via || via.Parameters.Any(p => p.Key.Equals("rport", StringComparison.OrdinalIgnoreCase)))
        {
            return source;
        }

        return new IPEndPoint(source.Address, via.Port ?? 5060);
    }

    private static (string, string, string)? Key(SipRequest request)
    {
        if (request.TopVia is not { Branch: { Length: > 0 } branch } via)
        {
            return null;
        }

        // RFC 3261 17.2.3: an ACK belongs to its INVITE's server transaction.
        var method = request.Method == SipMethods.Ack ? SipMethods.Invite : request.Method;
        return (branch, via.Host + ":" + via.Port, method);
    }

    private static void TrySend(ISipTransport transport, SipResponse response, IPEndPoint destination)
    {
        try
        {
            transport.Send(response, destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // RFC 3261 18.2.2: a failed response send is dropped; the peer retransmits the request.
        }
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Timer?.Dispose();
        }

        _entries.Clear();
    }

    private sealed class Entry(SipResponse response)
    {
        public SipResponse Response { get; } = response;

        public ITimer? Timer { get; set; }
    }
}
