using System.Globalization;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Carriers.Sip;

/// <summary>
/// A SIP trunk as a carrier: a leg is an INVITE through the shared <see cref="SipEndpoint"/>. 180/183 →
/// ringing, 2xx → answered, a final failure → rejected with its code (the engine maps it), the callee's
/// BYE → remote hang-up; <see cref="ICarrierLeg.Cancel"/> sends CANCEL and <see cref="ICarrierLeg.Hangup"/> BYE.
/// </summary>
public sealed class SipCarrier(TrunkOptions trunk, SipEndpointProvider endpoints, ILogger logger) : ICarrier
{
    private readonly SipCredentials? _credentials =
        string.IsNullOrEmpty(trunk.Username) ? null : new SipCredentials(trunk.Username, trunk.Password ?? "");

    public string Name => trunk.Name;

    /// <summary>The Request-URI for a number: <c>sip:{to}@{address}</c>, or the number itself when it is a SIP URI.</summary>
    public SipUri? TargetFor(string to)
    {
        var text = to.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)
            ? to
            : string.Create(CultureInfo.InvariantCulture, $"sip:{to}@{trunk.Address}");
        if (string.Equals(trunk.Transport, "tcp", StringComparison.OrdinalIgnoreCase) && !text.Contains(";transport=", StringComparison.OrdinalIgnoreCase))
        {
            text += ";transport=tcp";
        }
        return SipUri.TryParse(text, out var uri) ? uri : null;
    }

    public ICarrierLeg Place(LegRequest request, ILegEvents events)
    {
        var leg = new SipLeg(this, request, events);
        _ = leg.RunAsync();
        return leg;
    }

    private sealed class SipLeg(SipCarrier carrier, LegRequest request, ILegEvents events) : ICarrierLeg
    {
        private readonly Lock _lock = new();
        private SipCall? _call;
        private bool _canceled;
        private bool _hungUp;

        /// <summary>Sends the INVITE, then turns the call's events into leg events until it ends.</summary>
        public async Task RunAsync()
        {
            // Off the caller's thread: Place never reports synchronously.
            await Task.Yield();
            SipCall call;
            try
            {
                var target = carrier.TargetFor(request.To);
                if (target is null)
                {
                    // 484 Address Incomplete: the number does not make a SIP URI.
                    if (Reporting)
                    {
                        events.Rejected(484);
                    }
                    return;
                }
                var from = carrier.FromUserFor(request.From);
                call = await carrier.Endpoint.UserAgentClient.InviteAsync(new SipInviteRequest
                {
                    Target = target,
                    FromUser = from,
                    Credentials = string.IsNullOrEmpty(request.Username)
                        ? carrier._credentials
                        : new SipCredentials(request.Username, request.Password ?? ""),
                    Sdp = request.SdpOffer,
                }, CancellationToken.None);
            }
            catch (Exception exception) when (exception is System.Net.Sockets.SocketException or InvalidOperationException or ArgumentException or ObjectDisposedException)
            {
                CarriersLog.InviteFailed(carrier.Logger, request.CallSid, carrier.Name, exception);
                // A transport error before any response counts as 503 (RFC 3261 8.1.3.1): the route fails over.
                if (Reporting)
                {
                    events.Unreachable(503);
                }
                return;
            }

            bool cancel, hangup;
            lock (_lock)
            {
                _call = call;
                cancel = _canceled;
                hangup = _hungUp;
            }
            if (Reporting)
            {
                events.Identified(call.CallId);
            }
            if (cancel || hangup)
            {
                await EndAsync(call);
            }

            await foreach (var e in call.Events.ReadAllAsync())
            {
                switch (e)
                {
                    case SipCallRinging ringing:
                        if (ringing.Sdp is { } early && Reporting)
                        {
                            events.Media(early);
                        }
                        if (Reporting)
                        {
                            events.Ringing(ringing.StatusCode);
                        }
                        break;
                    case SipCallAnswered answered:
                        if (answered.Sdp is { } sdp && Reporting)
                        {
                            events.Media(sdp);
                        }
                        if (Reporting)
                        {
                            events.Answered("human");
                        }
                        break;
                    case SipCallFailed failed:
                        CarriersLog.SipOutcome(carrier.Logger, request.CallSid, carrier.Name, failed.StatusCode);
                        if (!Reporting)
                        {
                            break;
                        }
                        if (failed.IsLocal)
                        {
                            events.Unreachable(failed.StatusCode);
                        }
                        else
                        {
                            events.Rejected(failed.StatusCode);
                        }
                        break;
                    case SipCallTerminated { By: SipCallParty.Remote }:
                        if (Reporting)
                        {
                            events.RemoteHangup();
                        }
                        break;
                }
            }
        }

        /// <summary>True until the engine ended the leg (it then expects no more events); read before each event is reported.</summary>
        private bool Reporting
        {
            get
            {
                lock (_lock)
                {
                    return !(_canceled || _hungUp);
                }
            }
        }

        public void Cancel()
        {
            SipCall? call;
            lock (_lock)
            {
                _canceled = true;
                call = _call;
            }
            if (call is not null)
            {
                _ = EndAsync(call);
            }
        }

        public void Hangup()
        {
            SipCall? call;
            lock (_lock)
            {
                _hungUp = true;
                call = _call;
            }
            if (call is not null)
            {
                _ = EndAsync(call);
            }
        }

        /// <summary>CANCEL before an answer, BYE after (the stack answers a 2xx racing our CANCEL with a BYE itself).</summary>
        private static async Task EndAsync(SipCall call)
        {
            if (!await call.CancelAsync())
            {
                await call.ByeAsync();
            }
        }
    }

    private SipEndpoint Endpoint => endpoints.Endpoint;

    private ILogger Logger => logger;

    private string FromUserFor(string from)
    {
        if (!string.IsNullOrEmpty(trunk.FromUser))
        {
            return trunk.FromUser;
        }
        // A From that is itself a SIP URI or client identity keeps only its user part.
        var user = from.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && SipUri.TryParse(from, out var uri) ? uri.User ?? "switchboard" : from;
        return user.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '_' or '.') && user.Length > 0 ? user : "switchboard";
    }
}
