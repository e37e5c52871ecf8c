using System.Runtime.CompilerServices;
using Switchboard.Carriers;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>A call that has not ended, as its partition holds it. Touched only by that partition.</summary>
/// <remarks>
/// What only some calls need (TwiML run, SIP Call-ID, &lt;Dial&gt;) lives in a second object made on first use,
/// so that each of many ringing calls costs four fields here. The call is also the sink of its leg's events
/// (a call places one leg, when it is initiated): they are handed to the partition's loop, which drops those
/// of a leg it has let go (<see cref="EnginePartition"/>, <c>IsCurrentLeg</c>).
/// </remarks>
internal sealed class LiveCall(EnginePartition partition, Call call) : ILegEvents
{
    private Extras? _extras;
    private TimerVersions _timers;

    public Call Call { get; set; } = call;

    /// <summary>The version of each of the call's armed timers, by <see cref="CallTimer"/> (0: not armed; see <see cref="TimerQueue"/>).</summary>
    public ref int TimerVersion(CallTimer kind) => ref _timers[(int)kind];

    public ICarrierLeg? Leg { get; set; }

    /// <summary>Where the call is in its TwiML; made when first needed (a ringing call has none yet).</summary>
    public TwimlRun Application => More.Application ??= new TwimlRun();

    /// <summary>The SIP Call-ID of the current leg, when its carrier speaks SIP.</summary>
    public string? SipCallId { get => _extras?.SipCallId; set => SetOrSkip(value, static (e, v) => e.SipCallId = v); }

    /// <summary>The &lt;Dial&gt; this call is running, if any.</summary>
    public DialSession? Dial { get => _extras?.Dial; set => SetOrSkip(value, static (e, v) => e.Dial = v); }

    /// <summary>For a &lt;Dial&gt; child: the noun it was dialed for.</summary>
    public DialNoun? Noun { get => _extras?.Noun; init => SetOrSkip(value, static (e, v) => e.Noun = v); }

    private Extras More => _extras ??= new Extras();

    void ILegEvents.Ringing(int sipCode) => partition.Post(() => partition.OnRinging(this));

    void ILegEvents.Answered(string answeredBy) => partition.Post(() => partition.OnAnswered(this, answeredBy));

    void ILegEvents.Rejected(int sipCode) => partition.Post(() => partition.OnRejected(this, sipCode));

    void ILegEvents.RemoteHangup() => partition.Post(() => partition.OnRemoteHangup(this));

    void ILegEvents.Unreachable(int sipCode) => partition.Post(() => partition.OnUnreachable(this, sipCode));

    void ILegEvents.Routed(string trunk) => partition.Post(() => partition.OnRouted(this, trunk));

    void ILegEvents.Identified(string sipCallId) => partition.Post(() => partition.OnIdentified(this, sipCallId));

    /// <summary>Setting null on a call without extras makes none.</summary>
    private void SetOrSkip<T>(T? value, Action<Extras, T?> set) where T : class
    {
        if (value is not null || _extras is not null)
        {
            set(More, value);
        }
    }

    /// <summary>One version per <see cref="CallTimer"/>, inline (16 bytes in the call instead of a set entry per timer).</summary>
    [InlineArray(4)]
    private struct TimerVersions
    {
        private int _first;
    }

    private sealed class Extras
    {
        public TwimlRun? Application { get; set; }
        public string? SipCallId { get; set; }
        public DialSession? Dial { get; set; }
        public DialNoun? Noun { get; set; }
    }
}

/// <summary>Where a call is in its TwiML: the document, the next verb, and a generation that outdates fetches.</summary>
internal sealed class TwimlRun
{
    public int Generation { get; private set; }
    public TwimlDocument? Document { get; private set; }
    public string? DocumentUrl { get; private set; }
    public int Next { get; set; }
    public bool FallbackUsed { get; set; }

    /// <summary>Starts something new (a fetch, a redirect): results of anything older are ignored.</summary>
    public int Begin()
    {
        Document = null;
        Next = 0;
        return ++Generation;
    }

    public void Load(TwimlDocument document, string? url)
    {
        Document = document;
        DocumentUrl = url;
        Next = 0;
    }

    public void Stop() => Begin();
}
