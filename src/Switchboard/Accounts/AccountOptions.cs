namespace Switchboard.Accounts;

/// <summary>An account configured at start (section <c>Accounts</c>, a list).</summary>
public sealed class AccountOptions
{
    public string Sid { get; set; } = "";
    public string AuthToken { get; set; } = "";
    public string? FriendlyName { get; set; }
}
