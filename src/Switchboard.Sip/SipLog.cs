using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip;

/// <summary>Log messages of the SIP stack; EventIds 5000-5999 (house style: Sip range).</summary>
internal static partial class SipLog
{
    [LoggerMessage(5000, LogLevel.Information, "SIP endpoint listening on {LocalEndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint localEndPoint);

    [LoggerMessage(5001, LogLevel.Debug, "Sending {Length} bytes to {Destination} (Call-ID {SipCallId})")]
    public static partial void Sending(ILogger logger, int length, IPEndPoint destination, string? sipCallId);

    [LoggerMessage(5005, LogLevel.Debug, "Received {Kind} from {Source} (Call-ID {SipCallId}, CSeq {CSeq})")]
    public static partial void Received(ILogger logger, string kind, IPEndPoint source, string? sipCallId, string? cSeq);

    [LoggerMessage(5002, LogLevel.Debug, "Dropped a {Length}-byte datagram from {Source}: {Reason}")]
    public static partial void DatagramDropped(ILogger logger, int length, IPEndPoint source, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "UDP receive failed with {SocketError}; the receive loop goes on")]
    public static partial void ReceiveFailed(ILogger logger, SocketError socketError, Exception exception);

    [LoggerMessage(5004, LogLevel.Error, "Handling a message from {Source} (Call-ID {SipCallId}) failed; the receive loop goes on")]
    public static partial void HandlerFailed(ILogger logger, IPEndPoint source, string? sipCallId, Exception exception);

    [LoggerMessage(5006, LogLevel.Warning, "TCP connection with {Remote} failed or closed")]
    public static partial void ConnectionFailed(ILogger logger, IPEndPoint remote, Exception exception);

    [LoggerMessage(5010, LogLevel.Debug, "Response {StatusCode} matched no client transaction (Call-ID {SipCallId})")]
    public static partial void UnmatchedResponse(ILogger logger, int statusCode, string? sipCallId);

    [LoggerMessage(5011, LogLevel.Debug, "Client transaction {Branch} {Method} timed out")]
    public static partial void TransactionTimedOut(ILogger logger, string branch, string method);

    [LoggerMessage(5012, LogLevel.Warning, "Sending {Method} to {Destination} failed")]
    public static partial void SendFailed(ILogger logger, string method, IPEndPoint destination, Exception exception);

    [LoggerMessage(5013, LogLevel.Debug, "Retransmitting {Method} (branch {Branch})")]
    public static partial void Retransmitting(ILogger logger, string method, string branch);

    [LoggerMessage(5020, LogLevel.Information, "INVITE sent for Call-ID {SipCallId} to {Destination}")]
    public static partial void InviteSent(ILogger logger, string sipCallId, IPEndPoint destination);

    [LoggerMessage(5021, LogLevel.Information, "Call {SipCallId} answered")]
    public static partial void Answered(ILogger logger, string sipCallId);

    [LoggerMessage(5022, LogLevel.Information, "Call {SipCallId} failed with {StatusCode} {ReasonPhrase}")]
    public static partial void Failed(ILogger logger, string sipCallId, int statusCode, string reasonPhrase);

    [LoggerMessage(5023, LogLevel.Information, "Call {SipCallId} terminated by the {Party} side")]
    public static partial void Terminated(ILogger logger, string sipCallId, string party);

    [LoggerMessage(5024, LogLevel.Debug, "Call {SipCallId}: answering challenge {StatusCode} for realm {Realm}")]
    public static partial void AnsweringChallenge(ILogger logger, string sipCallId, int statusCode, string realm);

    [LoggerMessage(5025, LogLevel.Debug, "Call {SipCallId}: ignoring late or duplicate {What}")]
    public static partial void Ignored(ILogger logger, string sipCallId, string what);

    [LoggerMessage(5030, LogLevel.Debug, "Request {Method} from {Source} matched no dialog; answering 481")]
    public static partial void NoDialog(ILogger logger, string method, IPEndPoint source);

    [LoggerMessage(5040, LogLevel.Information, "Incoming call {SipCallId} from {Source}")]
    public static partial void IncomingCall(ILogger logger, string sipCallId, IPEndPoint source);

    /// <summary>How a call (either side) ended: a failure (a caller's CANCEL as 487), or a BYE from either party.</summary>
    public static void Ended(ILogger logger, string callId, SipCallEvent terminal)
    {
        switch (terminal)
        {
            case SipCallFailed failed:
                Failed(logger, callId, failed.StatusCode, failed.ReasonPhrase);
                break;
            case IncomingSipCallCanceled:
                Failed(logger, callId, 487, "Request Terminated");
                break;
            case SipCallTerminated terminated:
                Terminated(logger, callId, terminated.By == SipCallParty.Local ? "local" : "remote");
                break;
        }
    }
}
