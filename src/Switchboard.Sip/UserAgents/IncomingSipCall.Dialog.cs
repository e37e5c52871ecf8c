using System.Net;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>Requests the caller sends inside the dialog of an incoming call.</summary>
public sealed partial class IncomingSipCall
{
    /// <summary>
    /// A request with a To tag and our Call-ID. Returns false when it is not for this dialog (the endpoint
    /// then answers 481). RFC 3261 12.2.2: the remote CSeq must grow, else 500.
    /// </summary>
    internal bool TryHandleRequest(SipRequest request, IPEndPoint source, ISipTransport transport)
    {
        lock (_lock)
        {
            if (_dialog is null || State == IncomingSipCallState.Ended
                || request.From?.Tag != _dialog.Id.RemoteTag || request.To?.Tag != _dialog.Id.LocalTag)
            {
                return false;
            }

            if (!_dialog.TryAcceptRemoteCSeq(request.CSeq!.Value.Number))
            {
                _endpoint.Respond(request, source, transport, 500, "Server Internal Error");
                return true;
            }

            switch (request.Method)
            {
                case SipMethods.Bye when State == IncomingSipCallState.Proceeding:
                    // RFC 3261 15.1.2: a BYE in the early dialog ends it; the pending INVITE gets 487.
                    _endpoint.Respond(request, source, transport, 200, "OK");
                    _transaction.SendFailure(CreateResponse(487, "Request Terminated", ReadOnlyMemory<byte>.Empty));
                    End(new IncomingSipCallCanceled(Now));
                    break;
                case SipMethods.Bye:
                    // RFC 3261 15.1.2: answer 200 and end the call; retransmissions get the same 200 (Timer J).
                    _endpoint.Respond(request, source, transport, 200, "OK");
                    End(new SipCallTerminated(Now, SipCallParty.Remote, null));
                    break;
                case SipMethods.Invite when State is IncomingSipCallState.Confirmed or IncomingSipCallState.Terminating:
                    // Reference 7: a re-INVITE (session refresh, hold) gets our previous SDP unchanged.
                    _dialog.RefreshTarget(request);
                    _endpoint.Respond(request, source, transport, 200, "OK", null, [new(HeaderNames.Contact, _contactValue), new(HeaderNames.ContentType, SdpBody.ContentType)], _answerSdp);
                    break;
                case SipMethods.Invite:
                    // RFC 3261 14.2: a re-INVITE while our own INVITE answer is still pending.
                    _endpoint.Respond(request, source, transport, 491, "Request Pending");
                    break;
                case SipMethods.Options or SipMethods.Info or SipMethods.Notify or SipMethods.Update:
                    _endpoint.Respond(request, source, transport, 200, "OK");
                    break;
                default:
                    _endpoint.Respond(request, source, transport, 501, "Not Implemented", null, [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                    break;
            }

            return true;
        }
    }
}
