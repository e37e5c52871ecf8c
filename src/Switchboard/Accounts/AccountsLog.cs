namespace Switchboard.Accounts;

internal static partial class AccountsLog
{
    [LoggerMessage(1101, LogLevel.Information, "Account {AccountSid} configured")]
    public static partial void Configured(ILogger logger, string accountSid);

    [LoggerMessage(1103, LogLevel.Information, "API key {KeySid} configured for account {AccountSid}")]
    public static partial void ApiKeyConfigured(ILogger logger, string keySid, string accountSid);

    // Printing the development token is the point of a development account (DESIGN "Contracts"):
    // it is generated locally and only ever used against this server.
    [LoggerMessage(1102, LogLevel.Warning, "Development account: TWILIO_ACCOUNT_SID={AccountSid} TWILIO_AUTH_TOKEN={AuthToken}")]
    public static partial void Development(ILogger logger, string accountSid, string authToken);
}
