using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Tests.Transactions;

/// <summary>Records what a transaction sends instead of touching a socket.</summary>
internal sealed class RecordingTransport(bool reliable = false) : ISipTransport
{
    private readonly List<SipMessage> _sent = [];

    public string Protocol => reliable ? "TCP" : "UDP";

    public bool IsReliable => reliable;

    public bool Fail { get; set; }

    public IReadOnlyList<SipMessage> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public void Send(SipMessage message, IPEndPoint destination)
    {
        if (Fail)
        {
            throw new SocketException((int)SocketError.NetworkUnreachable);
        }

        lock (_sent)
        {
            _sent.Add(message);
        }
    }
}
