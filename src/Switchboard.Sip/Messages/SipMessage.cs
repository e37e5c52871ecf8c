namespace Switchboard.Sip.Messages;

/// <summary>
/// A parsed or built SIP message (RFC 3261 7). Immutable: headers in wire order with canonical names,
/// body as bytes. Typed accessors parse on demand and return null when a header is absent or malformed.
/// </summary>
internal abstract record SipMessage
{
    private const int TopViaRead = 1;
    private const int FromRead = 2;
    private const int ToRead = 4;

    // A received message (made by the parser) is never changed: its top Via, From and To are parsed once, on first
    // read, and kept with it. It is short-lived (a response is handled and dropped), unlike a message this stack builds
    // and keeps (an INVITE for its call's life), which parses them on each read and keeps nothing more. A copy made
    // with `with` is a built message: the copy constructor below carries neither the flag nor what was kept.
    private bool _received;
    private int _read;
    private Via? _topVia;
    private NameAddress? _from;
    private NameAddress? _to;

    protected SipMessage()
    {
    }

    protected SipMessage(SipMessage original)
    {
        ArgumentNullException.ThrowIfNull(original);
        Headers = original.Headers;
        Body = original.Body;
    }

    public required IReadOnlyList<SipHeader> Headers { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    public string? CallId => GetHeader(HeaderNames.CallId);

    public CSeq? CSeq => Messages.CSeq.TryParse(GetHeader(HeaderNames.CSeq), out var cseq) ? cseq : null;

    public Via? TopVia => Kept(ref _topVia, TopViaRead, static m => m.FirstValue(HeaderNames.Via) is { } text && Via.TryParse(text, out var via) ? via : null);

    public NameAddress? From => Kept(ref _from, FromRead, static m => NameAddress.TryParse(m.GetHeader(HeaderNames.From), out var from) ? from : null);

    public NameAddress? To => Kept(ref _to, ToRead, static m => NameAddress.TryParse(m.GetHeader(HeaderNames.To), out var to) ? to : null);

    /// <summary>Marks a message the parser made: see <see cref="_received"/>.</summary>
    internal void MarkReceived() => _received = true;

    private T? Kept<T>(ref T? field, int bit, Func<SipMessage, T?> parse)
        where T : class
    {
        if (!_received)
        {
            return parse(this);
        }
        if ((Volatile.Read(ref _read) & bit) != 0)
        {
            return field;
        }
        // Two threads reading at once both parse and store the same value; a lost bit only means a later parse.
        var value = parse(this);
        field = value;
        Volatile.Write(ref _read, _read | bit);
        return value;
    }

    public NameAddress? Contact => FirstValue(HeaderNames.Contact) is { } text && NameAddress.TryParse(text, out var contact) ? contact : null;

    /// <summary>The first value of a header, or null.</summary>
    public string? GetHeader(string name)
    {
        // By index: a foreach over the interface would allocate an enumerator on every lookup.
        var headers = Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The first of <see cref="GetValues"/> (the top Via, the first Contact): the header's value itself when it is
    /// not a comma list, as it nearly always is, without splitting anything.
    /// </summary>
    public string? FirstValue(string name)
    {
        var headers = Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (!headers[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = headers[i].Value;
            if (HeaderNames.IsSingleValued(name))
            {
                return value;
            }

            if (!value.Contains(','))
            {
                // What SplitOutside would give for a single part (Trim returns the value itself when it has nothing to trim).
                var trimmed = value.Trim();
                if (trimmed.Length > 0)
                {
                    return trimmed;
                }

                continue;
            }

            foreach (var part in SipSyntax.SplitOutside(value, ','))
            {
                if (part.Length > 0)
                {
                    return part;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Every value of a header in order, comma lists split outside quotes and brackets (RFC 3261 7.3.1),
    /// except for headers that must never be split (the authentication headers).
    /// </summary>
    public IEnumerable<string> GetValues(string name)
    {
        foreach (var header in Headers)
        {
            if (!header.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (HeaderNames.IsSingleValued(name))
            {
                yield return header.Value;
                continue;
            }

            foreach (var part in SipSyntax.SplitOutside(header.Value, ','))
            {
                if (part.Length > 0)
                {
                    yield return part;
                }
            }
        }
    }

    /// <summary>A copy with every header of that name removed and one value appended.</summary>
    public SipMessage WithHeader(string name, string value) => this with
    {
        Headers = [.. Headers.Where(h => !h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)), new SipHeader(name, value)],
    };
}
