namespace Switchboard.TwiML;

/// <summary>
/// Parsed inline TwiML by its text, for one owner thread (an engine partition). Applications send the same
/// few documents again and again, and parsing one costs an <see cref="System.Xml.XmlReader"/> with its
/// buffers (about 10 KB of allocation per call); a parsed document is immutable, so every call that runs
/// the same text shares it. Bounded: documents up to <see cref="MaxDocumentChars"/> only, and the cache is
/// emptied when it holds <see cref="MaxEntries"/>.
/// </summary>
internal sealed class TwimlCache
{
    public const int MaxEntries = 256;
    public const int MaxDocumentChars = 4096;

    private readonly Dictionary<string, TwimlParseResult> _parsed = new(StringComparer.Ordinal);

    public TwimlParseResult Parse(string twiml)
    {
        if (twiml.Length > MaxDocumentChars)
        {
            return TwimlParser.Parse(twiml);
        }
        if (_parsed.TryGetValue(twiml, out var parsed))
        {
            return parsed;
        }
        parsed = TwimlParser.Parse(twiml);
        if (_parsed.Count >= MaxEntries)
        {
            _parsed.Clear();
        }
        _parsed[twiml] = parsed;
        return parsed;
    }
}
