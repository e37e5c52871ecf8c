using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>
/// What an ended call leaves its INVITE transaction for the rest of Accepted (RFC 6026 7.2, Timer M): a 2xx
/// retransmitted from the dialog's far end gets the call's ACK again (RFC 3261 13.2.2.4), as the call itself
/// would; the call and everything it refers to can go. The ACK is kept as its bytes (one array instead of a message,
/// its headers and URI, for 32 s after every answered call) and read back only when a 2xx does come again.
/// </summary>
internal sealed class AckResender(ISipTransport transport, SipRequest ack, IPEndPoint destination, string? remoteTag, ILogger logger)
    : IClientTransactionUser
{
    private readonly byte[] _ack = SipSerializer.Serialize(ack);

    public void OnResponse(ClientTransaction transaction, SipResponse response)
    {
        if (!response.IsSuccess || response.To?.Tag != remoteTag)
        {
            // A 2xx from another fork after the call ended: nobody is left to answer it (RFC 3261 13.2.2.4 would
            // ACK and BYE it; the far end gives up on it at its own Timer H).
            return;
        }
        // The bytes are those of a message this stack wrote, so they read back.
        var parsed = SipMessageParser.Parse(_ack);
        if (!parsed.Success)
        {
            return;
        }
        try
        {
            transport.Send(parsed.Message, destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            SipLog.SendFailed(logger, SipMethods.Ack, destination, exception);
        }
    }

    public void OnFailure(ClientTransaction transaction, ClientTransactionFailure failure)
    {
    }
}
