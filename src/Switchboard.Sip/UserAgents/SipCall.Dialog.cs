using System.Net;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.UserAgents;

/// <summary>The confirmed-dialog side of a call: our BYE, and requests the far end sends in the dialog.</summary>
public sealed partial class SipCall
{
    private bool _byeRetried;

    /// <summary>RFC 3261 15.1.1: BYE is a new in-dialog request (next CSeq, new branch) in a non-INVITE transaction.</summary>
    private void SendBye(List<SipHeader>? credentials)
    {
        var bye = _dialog!.CreateRequest(SipMethods.Bye, _endpoint.NewVia(_transport), credentials);
        State = SipCallState.Terminating;
        _byeUri = bye.RequestUri;
        _byeTransaction = StartNonInvite(bye, SipEndpoint.ResolveNextHop(_dialog.NextHop, _destination));
        _byeTransaction.Start();
    }

    private void OnByeResponse(SipResponse response)
    {
        if (response.IsProvisional || State == SipCallState.Ended)
        {
            return;
        }

        // Reference 7: a challenged BYE is retried once with credentials and CSeq + 1.
        if (response.StatusCode is 401 or 407 && !_byeRetried
            && TryAuthorize(response, SipMethods.Bye, _byeUri!, out var authorization))
        {
            _byeRetried = true;
            SendBye([authorization]);
            return;
        }

        // Reference 7: any final response to our BYE (200, 481, 408...) ends the call.
        End(new SipCallTerminated(Now, SipCallParty.Local, response.StatusCode));
    }

    /// <summary>
    /// A request with a To tag and our Call-ID. Returns false when it is not for this dialog (the endpoint
    /// then answers 481). RFC 3261 12.2.2: the remote CSeq must grow, else 500.
    /// </summary>
    internal bool TryHandleRequest(SipRequest request, IPEndPoint source, ISipTransport transport)
    {
        lock (_lock)
        {
            if (_dialog is null || State == SipCallState.Ended
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
                case SipMethods.Bye:
                    // RFC 3261 15.1.2: answer 200 and end the call; retransmissions get the same 200 (Timer J).
                    _endpoint.Respond(request, source, transport, 200, "OK");
                    End(new SipCallTerminated(Now, SipCallParty.Remote, null));
                    break;
                case SipMethods.Invite:
                    // Reference 7: a re-INVITE (session refresh, hold) gets our previous SDP unchanged.
                    _dialog.RefreshTarget(request);
                    _endpoint.Respond(request, source, transport, 200, "OK", null, [new(HeaderNames.Contact, _contactValue), new(HeaderNames.ContentType, SdpBody.ContentType)], _sdpOffer);
                    break;
                case SipMethods.Options or SipMethods.Info or SipMethods.Notify or SipMethods.Update:
                    _endpoint.Respond(request, source, transport, 200, "OK");
                    break;
                case SipMethods.Cancel:
                    _endpoint.Respond(request, source, transport, 481, "Call/Transaction Does Not Exist");
                    break;
                default:
                    _endpoint.Respond(request, source, transport, 501, "Not Implemented", null, [new(HeaderNames.Allow, UserAgentClient.Allow)]);
                    break;
            }

            return true;
        }
    }
}
