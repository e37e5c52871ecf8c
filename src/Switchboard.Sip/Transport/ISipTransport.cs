using System.Net;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transport;

/// <summary>
/// What transactions and the UA core need from a transport (RFC 3261 18). A seam for tests: the
/// transaction timer tests record sends instead of using a socket.
/// </summary>
internal interface ISipTransport
{
    /// <summary>Via transport token: <c>UDP</c> or <c>TCP</c>.</summary>
    string Protocol { get; }

    /// <summary>RFC 3261 17.1.1.2: on a reliable transport Timers A and E are off and D and K are zero.</summary>
    bool IsReliable { get; }

    /// <summary>Throws <see cref="System.Net.Sockets.SocketException"/> when the datagram cannot be sent.</summary>
    void Send(SipMessage message, IPEndPoint destination);
}
