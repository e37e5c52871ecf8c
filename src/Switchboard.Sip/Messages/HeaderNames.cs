using System.Collections.Frozen;

namespace Switchboard.Sip.Messages;

/// <summary>Canonical header names, and the expansion of the compact forms we accept on input.</summary>
internal static class HeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string MaxForwards = "Max-Forwards";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Allow = "Allow";
    public const string UserAgent = "User-Agent";
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string Authorization = "Authorization";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string Require = "Require";
    public const string Supported = "Supported";
    public const string RetryAfter = "Retry-After";

    // RFC 3261 7.3.3 and the IANA registry: compact forms are single letters, case-insensitive.
    private static readonly FrozenDictionary<string, string> Canonical = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["i"] = CallId, ["m"] = Contact, ["e"] = "Content-Encoding", ["l"] = ContentLength,
        ["c"] = ContentType, ["f"] = From, ["s"] = "Subject", ["k"] = Supported, ["t"] = To,
        ["v"] = Via, ["o"] = "Event", ["r"] = "Refer-To", ["u"] = "Allow-Events", ["x"] = "Session-Expires",
        [Via] = Via, [From] = From, [To] = To, [CallId] = CallId, [CSeq] = CSeq, [Contact] = Contact,
        [MaxForwards] = MaxForwards, [ContentLength] = ContentLength, [ContentType] = ContentType,
        [Route] = Route, [RecordRoute] = RecordRoute, [Allow] = Allow, [UserAgent] = UserAgent,
        [WwwAuthenticate] = WwwAuthenticate, [ProxyAuthenticate] = ProxyAuthenticate,
        [Authorization] = Authorization, [ProxyAuthorization] = ProxyAuthorization,
        [Require] = Require, [Supported] = Supported, [RetryAfter] = RetryAfter,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Long canonical spelling of a known header (compact forms expanded); unknown names unchanged.</summary>
    public static string Canonicalize(string name) => Canonical.TryGetValue(name, out var canonical) ? canonical : name;

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CanonicalBySpan =
        Canonical.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary><see cref="Canonicalize(string)"/> of a name still in the datagram: a known name costs no string.</summary>
    public static string Canonicalize(ReadOnlySpan<char> name) => CanonicalBySpan.TryGetValue(name, out var canonical) ? canonical : name.ToString();

    /// <summary>
    /// RFC 3261 7.3.1: the authentication headers carry commas inside their parameters and are never
    /// combined into or split from a comma-separated list.
    /// </summary>
    public static bool IsSingleValued(string name) =>
        name.Equals(WwwAuthenticate, StringComparison.OrdinalIgnoreCase)
        || name.Equals(ProxyAuthenticate, StringComparison.OrdinalIgnoreCase)
        || name.Equals(Authorization, StringComparison.OrdinalIgnoreCase)
        || name.Equals(ProxyAuthorization, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CallId, StringComparison.OrdinalIgnoreCase)
        || name.Equals(CSeq, StringComparison.OrdinalIgnoreCase)
        || name.Equals(From, StringComparison.OrdinalIgnoreCase)
        || name.Equals(To, StringComparison.OrdinalIgnoreCase)
        || name.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
        || name.Equals(UserAgent, StringComparison.OrdinalIgnoreCase)
        || name.Equals("Date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Subject", StringComparison.OrdinalIgnoreCase);
}
