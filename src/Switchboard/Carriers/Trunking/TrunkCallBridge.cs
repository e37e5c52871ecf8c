using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Switchboard.Accounts;
using Switchboard.Api;
using Switchboard.Calls;
using Switchboard.Calls.Engine;
using Switchboard.Insights;
using Switchboard.Carriers.Sip;
using Switchboard.Storage;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Carriers.Trunking;

/// <summary>
/// Trunk calls (Twilio's Elastic SIP Trunking; docs/carriers.md "Trunk calls"): an INVITE from a source
/// trunk is routed by its Request-URI number like any call (<see cref="CarrierRouter.Route"/>, with the
/// route's failover and concurrency limits) and bridged back to back (<see cref="TrunkCall"/>). No TwiML,
/// no callbacks, no outbox: one call row is written when the call ends. Runs beside the engine, not in
/// its partitions: a bridged call has no TwiML, no timers and no callbacks for the engine to own.
/// </summary>
internal sealed class TrunkCallBridge(
    IOptions<CarrierOptions> options,
    SipEndpointProvider sip,
    CarrierRouter router,
    AccountRegistry accounts,
    StoreWriter writer,
    CallsPerSecondGate gate,
    LiveCallView liveView,
    TimeProvider time,
    ILogger<TrunkCallBridge> logger) : IHostedService
{
    /// <summary>Twilio's direction for a call from a customer's infrastructure out to the network (reference §5).</summary>
    public const string Direction = "trunking-terminating";

    /// <summary>
    /// Longest wait for a slot under the route's first trunk's calls-per-second limit; a call that would wait longer
    /// is refused 503 (a PBX gives up on an INVITE after 32 s, RFC 3261 Timer B).
    /// </summary>
    internal static readonly TimeSpan MaxQueueWait = TimeSpan.FromSeconds(20);

    /// <summary>How long a graceful stop waits for the callers to answer the BYEs of the calls it ends.</summary>
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<TrunkCall, bool> _live = new();
    private SourceTrunks? _sources;
    private volatile bool _stopping;

    internal TimeProvider Time => time;

    /// <summary>See <see cref="CarrierOptions.TrunkCallRingTimeout"/>.</summary>
    internal TimeSpan RingTimeout => options.Value.TrunkCallRingTimeout;

    internal ILogger Logger => logger;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _sources = await SourceTrunks.LoadAsync(options, cancellationToken);
        if (_sources.All.Count == 0)
        {
            // No source trunk: the endpoint keeps answering INVITEs 501, as before trunk calls existed.
            return;
        }
        sip.Endpoint.AcceptIncomingCalls(OnIncomingCall);
        foreach (var trunk in _sources.All)
        {
            CarriersLog.SourceTrunkConfigured(logger, trunk.Name, trunk.Sid, string.Join(", ", trunk.AcceptFrom));
        }
    }

    /// <summary>
    /// A graceful stop ends the trunk calls still up, so that no PBX is left holding a dialog that nothing
    /// serves: new INVITEs get 503, a call not answered yet gets 503 (and its leg a CANCEL), an answered one
    /// a BYE on both sides; each is recorded. It waits up to <see cref="StopGrace"/> for the callers' answers.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var ending = _live.Keys.Select(call => call.StopAsync()).ToList();
        if (ending.Count == 0)
        {
            return;
        }
        CarriersLog.TrunkCallsStopping(logger, ending.Count);
        try
        {
            await Task.WhenAll(ending).WaitAsync(StopGrace, time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // A caller that does not answer its BYE in time is left to its own timers.
        }
    }

    /// <summary>The calls bridged now (started, not yet ended).</summary>
    internal ICollection<TrunkCall> Live => _live.Keys;

    internal void Started(TrunkCall call) => _live[call] = true;

    /// <summary>
    /// The Request-URI user as a number: E.164 as <see cref="PhoneNumbers"/> normalises it; digits without
    /// the <c>+</c> (many PBXs send them so) are read as E.164 too. Null when it is no number.
    /// </summary>
    public static string? NumberFrom(string? user)
    {
        if (string.IsNullOrEmpty(user))
        {
            return null;
        }
        var candidate = user.StartsWith('+') ? user : "+" + user;
        return PhoneNumbers.TryNormalize(candidate, out var number) && PhoneNumbers.IsPhoneNumber(number) ? number : null;
    }

    /// <summary>On the SIP receive loop: decide at once, never block.</summary>
    private void OnIncomingCall(IncomingSipCall incoming)
    {
        if (_stopping)
        {
            _ = incoming.RejectAsync(503, "Service Unavailable");
            return;
        }
        var source = _sources!.Match(incoming.RemoteEndPoint.Address);
        if (source is null)
        {
            // Like an Elastic SIP trunk's IP access control list: an unknown source is refused.
            CarriersLog.TrunkCallRefused(logger, incoming.CallId, incoming.RemoteEndPoint.ToString(), 403);
            _ = incoming.RejectAsync(403, "Forbidden");
            return;
        }

        if (source.Credentials is { } credentials && !incoming.IsAuthorized(credentials, source.Name))
        {
            // RFC 3261 22.3: challenge; the PBX retries with credentials as a new INVITE. Nothing is recorded.
            CarriersLog.TrunkCallRefused(logger, incoming.CallId, incoming.RemoteEndPoint.ToString(), 407);
            _ = incoming.ChallengeAsync(source.Name);
            return;
        }

        var account = source.AccountSid ?? accounts.Default?.Sid;
        if (account is null)
        {
            _ = incoming.RejectAsync(503, "Service Unavailable");
            return;
        }

        var from = NumberFrom(incoming.FromUser) ?? incoming.FromUser ?? "anonymous";
        var to = NumberFrom(incoming.RequestUser);
        var call = new TrunkCall(this, incoming, source, account, to ?? incoming.RequestUser ?? incoming.RequestUri, from);
        if (to is null)
        {
            // 484 Address Incomplete: the Request-URI names no number to route.
            call.Refuse(484, "Address Incomplete");
            return;
        }
        if (router.Route(to) is not { } route)
        {
            call.Refuse(404, "Not Found");
            return;
        }
        // The leg waits for its slot under the first trunk's CPS, as an API call waits in queued (Twilio paces
        // Elastic SIP Trunking termination at the trunk's CPS); the caller has its 100 Trying meanwhile.
        var now = time.GetUtcNow();
        if (!gate.TryReserveTrunk(route.Primary.Name, route.Primary.CallsPerSecond, now, MaxQueueWait, out var slot))
        {
            call.Refuse(503, "Service Unavailable");
            return;
        }
        call.Start(route, slot - now);
    }

    /// <summary>A trunk call's new status, on the live dashboard (the call log has it only once it ends).</summary>
    internal void Show(Call call) => liveView.Track(call);

    /// <summary>The one row of a trunk call, written when it ends (nothing is recorded for a call cut by a crash).</summary>
    internal void Record(TrunkCall trunkCall, Call call)
    {
        _live.TryRemove(trunkCall, out _);
        liveView.Track(call);
        writer.Submit(new StoreWrite { Call = call });
        CarriersLog.TrunkCallEnded(logger, call.Sid.Value, call.SipCallId ?? "", call.TrunkSid ?? "", call.Status.ToResource(), call.State.SipResponseCode ?? 0);
    }
}
