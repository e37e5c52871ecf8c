using System.Net.Sockets;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;

namespace Switchboard.Sip.UserAgents;

/// <summary>The INVITE side of a call: sending, provisional and final responses, digest retries, CANCEL, ACK for 2xx.</summary>
public sealed partial class SipCall
{
    private readonly HashSet<string> _answeredRealms = new(StringComparer.Ordinal);
    private List<SipHeader> _inviteCredentials = [];

    /// <summary>RFC 3261 8.1.1: the mandatory headers of an initial INVITE, plus our SDP offer (RFC 3264 5).</summary>
    private SipRequest BuildInvite(List<SipHeader> credentials)
    {
        var headers = new List<SipHeader>(10 + _request.Headers.Count + credentials.Count)
        {
            new(HeaderNames.Via, _endpoint.NewVia(_transport)),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, _fromValue),
            new(HeaderNames.To, "<" + _request.Target + ">"),
            new(HeaderNames.CallId, CallId),
            new(HeaderNames.CSeq, new CSeq(_cseq, SipMethods.Invite).ToString()),
            new(HeaderNames.Contact, _contactValue),
            new(HeaderNames.Allow, UserAgentClient.Allow),
            new(HeaderNames.UserAgent, _endpoint.Options.UserAgent),
        };
        headers.AddRange(_request.Headers.Select(h => new SipHeader(h.Key, h.Value)));
        headers.AddRange(credentials);
        headers.Add(new(HeaderNames.ContentType, SdpBody.ContentType));
        return new SipRequest { Method = SipMethods.Invite, RequestUri = _request.Target, Headers = headers, Body = _sdpOffer };
    }

    private void SendInvite()
    {
        State = SipCallState.Calling;
        _inviteTransaction = new InviteClientTransaction(_invite, _destination, _transport, _endpoint.Timers, _endpoint.TimeProvider, this, _endpoint.Logger);
        _endpoint.ClientTransactions.Add(_inviteTransaction);
        // Last step: a send failure reports back into this call synchronously.
        _inviteTransaction.Start();
    }

    private void OnInviteResponse(SipResponse response)
    {
        if (response.IsProvisional)
        {
            OnProvisional(response);
        }
        else if (response.IsSuccess)
        {
            OnInviteSuccessLocked(response);
        }
        else if (State == SipCallState.Ended)
        {
            SipLog.Ignored(_endpoint.Logger, CallId, "final response");
        }
        else if (response.StatusCode is not (401 or 407) || !TryRetryWithCredentials(response))
        {
            End(new SipCallFailed(Now, response.StatusCode, response.ReasonPhrase, IsLocal: false, _cancelRequested));
        }
    }

    private void OnProvisional(SipResponse response)
    {
        if (State is not (SipCallState.Calling or SipCallState.Proceeding))
        {
            SipLog.Ignored(_endpoint.Logger, CallId, "provisional response");
            return;
        }

        State = SipCallState.Proceeding;
        if (response.StatusCode > 100)
        {
            var sdp = SdpBody.GetSdp(response);
            Raise(new SipCallRinging(Now, response.StatusCode, response.ReasonPhrase) { Sdp = sdp });
            if (!_earlyMediaReported && sdp is not null)
            {
                _earlyMediaReported = true;
                Raise(new SipCallEarlyMedia(Now, response.StatusCode, sdp));
            }
        }

        // RFC 3261 9.1: a CANCEL requested before any provisional response goes out now.
        if (_cancelRequested && !_cancelSent)
        {
            SendCancel();
        }
    }

    /// <summary>A 2xx for our INVITE, from the transaction or (after Timer M) straight from the endpoint.</summary>
    internal void OnInviteSuccess(SipResponse response)
    {
        lock (_lock)
        {
            OnInviteSuccessLocked(response);
        }
    }

    private void OnInviteSuccessLocked(SipResponse response)
    {
        if (_dialog is not null)
        {
            if (response.To?.Tag == _dialog.Id.RemoteTag)
            {
                // RFC 3261 13.2.2.4: every retransmission of the 2xx gets the same ACK again.
                SendDirect(_ackForSuccess!, _dialog);
            }
            else if (Dialog.TryCreate(_invite, response, out var fork))
            {
                // RFC 3261 13.2.2.4: a second 2xx from another fork is ACKed and then ended with a BYE.
                SipLog.Ignored(_endpoint.Logger, CallId, "2xx from another fork");
                SendDirect(fork.CreateAck(response.CSeq!.Value.Number, _endpoint.NewVia(_transport), _inviteCredentials), fork);
                StartNonInvite(fork.CreateRequest(SipMethods.Bye, _endpoint.NewVia(_transport)), SipEndpoint.ResolveNextHop(fork.NextHop, _destination)).Start();
            }

            return;
        }

        if (!Dialog.TryCreate(_invite, response, out var dialog))
        {
            // RFC 3261 12.1.2 needs the remote tag; without it there is no dialog to ACK or BYE in.
            if (State != SipCallState.Ended)
            {
                End(new SipCallFailed(Now, 502, "Bad Gateway (2xx without a To tag)", IsLocal: true, _cancelRequested));
            }

            return;
        }

        _dialog = dialog;
        _ackForSuccess = dialog.CreateAck(response.CSeq!.Value.Number, _endpoint.NewVia(_transport), _inviteCredentials);
        SendDirect(_ackForSuccess, dialog);
        if (State == SipCallState.Ended)
        {
            // Answered after we gave up (cancel guard, endpoint stop): RFC 3261 15 says hang up with a BYE.
            StartNonInvite(dialog.CreateRequest(SipMethods.Bye, _endpoint.NewVia(_transport)), SipEndpoint.ResolveNextHop(dialog.NextHop, _destination)).Start();
            return;
        }

        _cancelGuard?.Dispose();
        State = SipCallState.Answered;
        SipLog.Answered(_endpoint.Logger, CallId);
        Raise(new SipCallAnswered(Now, response.StatusCode, SdpBody.GetSdp(response)));
        if (_cancelRequested)
        {
            // RFC 3261 9.1: the 2xx crossed our CANCEL, so the call is up; the UAC ends it with a BYE.
            SendBye(null);
        }
    }

    /// <summary>RFC 3261 17: the ACK for a 2xx is sent by the UA core straight to the transport, no transaction.</summary>
    private void SendDirect(SipRequest request, Dialog dialog)
    {
        var destination = SipEndpoint.ResolveNextHop(dialog.NextHop, _destination);
        try
        {
            _transport.Send(request, destination);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The far end retransmits its 2xx and we ACK again; nothing else to do.
            SipLog.SendFailed(_endpoint.Logger, request.Method, destination, exception);
        }
    }

    /// <summary>
    /// RFC 3261 22.2 / reference 9: resend the INVITE with CSeq + 1, a new branch, the same Call-ID and
    /// From tag and credentials for the challenge. The transaction already ACKed the 401/407.
    /// </summary>
    private bool TryRetryWithCredentials(SipResponse response)
    {
        if (_cancelRequested || !TryAuthorize(response, SipMethods.Invite, _invite.RequestUri, out var authorization))
        {
            return false;
        }

        _cseq++;
        _inviteCredentials = [authorization];
        _invite = BuildInvite(_inviteCredentials);
        SendInvite();
        return true;
    }

    /// <summary>
    /// Answers a 401 (WWW-Authenticate → Authorization) or 407 (Proxy-Authenticate → Proxy-Authorization).
    /// Each realm is answered once: a second challenge without <c>stale=true</c> means wrong credentials.
    /// </summary>
    private bool TryAuthorize(SipResponse response, string method, SipUri requestUri, out SipHeader authorization)
    {
        authorization = default;
        var proxy = response.StatusCode == 407;
        if (_request.Credentials is not { } credentials
            || !DigestChallenge.TryParse(response.GetHeader(proxy ? HeaderNames.ProxyAuthenticate : HeaderNames.WwwAuthenticate), out var challenge)
            || !DigestAuthenticator.IsSupported(challenge.Algorithm)
            || (!_answeredRealms.Add(method + " " + challenge.Realm) && !challenge.Stale))
        {
            return false;
        }

        SipLog.AnsweringChallenge(_endpoint.Logger, CallId, response.StatusCode, challenge.Realm);
        // RFC 2617 3.2.2: digest-uri is the Request-URI exactly as it is written in the request line.
        var value = DigestAuthenticator.CreateAuthorization(challenge, credentials, method, requestUri.ToString(), SipTokens.NewCnonce());
        authorization = new SipHeader(proxy ? HeaderNames.ProxyAuthorization : HeaderNames.Authorization, value);
        return true;
    }

    /// <summary>
    /// RFC 3261 9.1: CANCEL copies Request-URI, Call-ID, To, From, the CSeq number and the top Via (same
    /// branch) of the INVITE. If no final response to the INVITE follows within 64*T1, the INVITE is
    /// considered cancelled.
    /// </summary>
    private void SendCancel()
    {
        _cancelSent = true;
        var headers = new List<SipHeader>
        {
            new(HeaderNames.Via, _invite.GetValues(HeaderNames.Via).First()),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, _invite.GetHeader(HeaderNames.From)!),
            new(HeaderNames.To, _invite.GetHeader(HeaderNames.To)!),
            new(HeaderNames.CallId, CallId),
            new(HeaderNames.CSeq, new CSeq(_invite.CSeq!.Value.Number, SipMethods.Cancel).ToString()),
            new(HeaderNames.UserAgent, _endpoint.Options.UserAgent),
        };
        headers.AddRange(_invite.Headers.Where(h => h.Name.Equals(HeaderNames.Route, StringComparison.OrdinalIgnoreCase)));
        var cancel = new SipRequest { Method = SipMethods.Cancel, RequestUri = _invite.RequestUri, Headers = headers };
        _cancelGuard = _endpoint.TimeProvider.CreateTimer(_ => OnCancelGuard(), null, _endpoint.Timers.TimeoutInterval, Timeout.InfiniteTimeSpan);
        StartNonInvite(cancel, _destination).Start();
    }

    private void OnCancelGuard()
    {
        InviteClientTransaction? abandoned;
        lock (_lock)
        {
            if (State is not (SipCallState.Calling or SipCallState.Proceeding))
            {
                return;
            }

            abandoned = _inviteTransaction;
            End(new SipCallFailed(Now, 487, "Request Terminated", IsLocal: true, WasCanceled: true));
        }

        abandoned?.Abort();
    }
}
