using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Carriers;

/// <summary>
/// What every carrier must do, seen through the SDK and signed status callbacks: the same statuses and
/// SipResponseCode for answer, busy, no-answer (our CANCEL on Timeout), API cancel and failure. Runs on
/// the real clock (a SIP peer keeps real time), with short timeouts and bounded waits.
/// </summary>
public abstract class CarrierCompliance : CarrierTestBase
{
    /// <summary>Behaviours of the far end every carrier can produce.</summary>
    protected enum FarEnd
    {
        /// <summary>Rings about a second, then answers; we hang up.</summary>
        Answers,

        /// <summary>Rings, then 486 Busy Here.</summary>
        Busy,

        /// <summary>Rings until canceled.</summary>
        RingsForever,

        /// <summary>503 Service Unavailable without ringing.</summary>
        Unavailable,
    }

    /// <summary>Starts the far end and the server routed to it; returns the number to call.</summary>
    protected abstract Task<string> ConnectAsync(FarEnd behaviour);

    /// <summary>Checks what the far end saw once the call ended (sipp: its scenario passed).</summary>
    protected abstract Task VerifyFarEndAsync();

    /// <summary>The name the call records as its carrier (trunk).</summary>
    protected abstract string TrunkName { get; }

    [Fact]
    public async Task Answered_TwimlEnds_CompletedWith200()
    {
        var to = await ConnectAsync(FarEnd.Answers);
        var call = await Host.CreateCallAsync(to, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");
        Assert.Equal(CallResource.StatusEnum.Queued, call.Status);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        Assert.InRange(int.Parse(callbacks[^1]["CallDuration"]), 1, 3);
        await VerifyFarEndAsync();
        var fetched = await CallResource.FetchAsync(pathSid: call.Sid, client: Host.Client);
        Assert.Equal(CallResource.StatusEnum.Completed, fetched.Status);
        Assert.Equal(TrunkName, (await StoredCallAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task Busy_RingsThenBusy_BusyWith486()
    {
        var to = await ConnectAsync(FarEnd.Busy);
        var call = await Host.CreateCallAsync(to, Receiver);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "busy");
        Assert.Equal("486", callbacks[^1]["SipResponseCode"]);
        Assert.Equal("0", callbacks[^1]["CallDuration"]);
        await VerifyFarEndAsync();
    }

    [Fact]
    public async Task NoAnswer_TimeoutElapses_CancelsAndEndsNoAnswerWith487()
    {
        var to = await ConnectAsync(FarEnd.RingsForever);
        var call = await Host.CreateCallAsync(to, Receiver, timeout: 2);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "no-answer");
        Assert.Equal("487", callbacks[^1]["SipResponseCode"]);
        await VerifyFarEndAsync();
    }

    [Fact]
    public async Task ApiCancel_WhileRinging_CancelsAndEndsCanceledWith487()
    {
        var to = await ConnectAsync(FarEnd.RingsForever);
        var call = await Host.CreateCallAsync(to, Receiver, timeout: 30);
        await Receiver.WaitForStatusAsync(call.Sid, "ringing", StatusWait);

        var updated = await CallResource.UpdateAsync(pathSid: call.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: Host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, updated.Status);
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "canceled");
        Assert.Equal("487", callbacks[^1]["SipResponseCode"]);
        await VerifyFarEndAsync();
    }

    [Fact]
    public async Task Unavailable_NoRinging_FailedWith503()
    {
        var to = await ConnectAsync(FarEnd.Unavailable);
        var call = await Host.CreateCallAsync(to, Receiver);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "failed");
        Assert.Equal("503", callbacks[^1]["SipResponseCode"]);
        await VerifyFarEndAsync();
    }
}
