using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>A parent call's <c>&lt;Dial&gt;</c> in progress: its child legs and which one is bridged.</summary>
internal sealed class DialSession(DialVerb verb, string? documentUrl, DateTimeOffset started)
{
    public DialVerb Verb { get; } = verb;
    /// <summary>The URL of the document that held the &lt;Dial&gt;: relative <c>action</c> URLs resolve against it.</summary>
    public string? DocumentUrl { get; } = documentUrl;
    public DateTimeOffset Started { get; } = started;
    /// <summary>Every child, in noun order.</summary>
    public List<CallSid> Children { get; } = [];
    /// <summary>Children not yet answered nor ended.</summary>
    public HashSet<CallSid> Ringing { get; } = [];
    /// <summary>Final statuses of children that ended without being bridged.</summary>
    public Dictionary<CallSid, Call> Ended { get; } = [];
    /// <summary>SIP Call-IDs of the legs whose carrier reported one.</summary>
    public Dictionary<CallSid, string> SipCallIds { get; } = [];
    /// <summary>The child that answered first (possibly still hearing its whisper).</summary>
    public CallSid? Answered { get; set; }
    /// <summary>Whether <see cref="Answered"/> is connected to the parent.</summary>
    public bool Bridged { get; set; }
    /// <summary>A sequential dial's nouns not dialed yet, in order.</summary>
    public Queue<DialNoun> Pending { get; } = new();
    /// <summary>True while the children are being created, so an instant failure cannot end the dial early.</summary>
    public bool Starting { get; set; }
}
