namespace Switchboard.Storage;

/// <summary>An account: its SID and the auth token its API requests and webhooks are signed with.</summary>
public sealed record Account(string Sid, string AuthToken, string FriendlyName, DateTimeOffset DateCreated);
