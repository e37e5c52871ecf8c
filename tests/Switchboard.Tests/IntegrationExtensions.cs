using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Switchboard.Tests;

/// <summary>Shorthands for integration tests through the official SDK.</summary>
internal static class IntegrationExtensions
{
    public static readonly string[] AllEvents = ["initiated", "ringing", "answered", "completed"];

    public static Task<CallResource> CreateCallAsync(this SwitchboardHost host, string to, WebhookReceiver? receiver = null,
        string twiml = "<Response><Pause length=\"10\"/></Response>", string[]? events = null, int? timeout = null,
        string? machineDetection = null, Uri? url = null, Uri? statusCallback = null, int? timeLimit = null) =>
        CallResource.CreateAsync(
            to: new PhoneNumber(to),
            from: new PhoneNumber("+14155550199"),
            twiml: url is null ? new Twiml(twiml) : null,
            url: url,
            statusCallback: statusCallback ?? (receiver is null ? null : new Uri(receiver.Url("status"))),
            statusCallbackEvent: (events ?? AllEvents).ToList(),
            timeout: timeout,
            machineDetection: machineDetection,
            timeLimit: timeLimit,
            client: host.Client);

    public static void Advance(this SwitchboardHost host, double seconds) => host.Clock!.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>
    /// Steps the fake clock a second at a time until <paramref name="done"/> holds, giving the server a moment
    /// of real time between steps (for flows whose timers are armed after an HTTP fetch).
    /// </summary>
    public static async Task AdvanceUntilAsync(this SwitchboardHost host, Func<bool> done, int maxSeconds = 120, string? what = null, double step = 1)
    {
        for (var i = 0; i <= maxSeconds / step; i++)
        {
            for (var spin = 0; spin < 8 && !done(); spin++)
            {
                await Task.Delay(10);
            }
            if (done())
            {
                return;
            }
            host.Advance(step);
        }
        throw new TimeoutException($"Not reached within {maxSeconds} fake seconds: {what}");
    }
}
