using Switchboard.Carriers;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>A call that has not ended, as its partition holds it. Touched only by that partition.</summary>
internal sealed class LiveCall(Call call)
{
    public Call Call { get; set; } = call;

    public ICarrierLeg? Leg { get; set; }

    /// <summary>Identifies the current leg, so events of an older leg are recognised and ignored.</summary>
    public int LegId { get; set; }

    /// <summary>Where the call is in its TwiML; made when first needed (a ringing call has none yet).</summary>
    public TwimlRun Application => _application ??= new TwimlRun();

    private TwimlRun? _application;

    /// <summary>The SIP Call-ID of the current leg, when its carrier speaks SIP.</summary>
    public string? SipCallId { get; set; }

    /// <summary>The &lt;Dial&gt; this call is running, if any.</summary>
    public DialSession? Dial { get; set; }

    /// <summary>For a &lt;Dial&gt; child: the noun it was dialed for.</summary>
    public DialNoun? Noun { get; init; }
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
