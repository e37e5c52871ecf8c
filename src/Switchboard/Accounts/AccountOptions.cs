namespace Switchboard.Accounts;

/// <summary>An account configured at start (section <c>Accounts</c>, a list).</summary>
public sealed class AccountOptions
{
    public string Sid { get; set; } = "";
    public string AuthToken { get; set; } = "";
    public string? FriendlyName { get; set; }
}

/// <summary>
/// An API key configured at start (section <c>ApiKeys</c>, a list): <c>SK…:secret</c> authenticates as its account, as
/// Twilio's API keys do (the SDKs: <c>TwilioClient.Init(keySid, keySecret, accountSid)</c>).
/// </summary>
public sealed class ApiKeyOptions
{
    public string Sid { get; set; } = "";
    public string Secret { get; set; } = "";
    /// <summary>The account the key belongs to; default the server's default account.</summary>
    public string? AccountSid { get; set; }
}
