namespace Switchboard.TwiML;

/// <summary><c>&lt;Redirect&gt;</c>: fetch new TwiML and continue with it.</summary>
/// <param name="Url">The trimmed URL as written; a relative URL is resolved later against the document's URL.</param>
/// <param name="Method"><c>GET</c> or <c>POST</c>, upper case.</param>
internal sealed record RedirectVerb(string Url, string Method) : TwimlVerb;
