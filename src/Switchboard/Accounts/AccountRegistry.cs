using System.Collections.Concurrent;
using System.Security.Cryptography;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Accounts;

/// <summary>
/// The accounts this server serves, cached in memory. At start (DESIGN "Contracts"): the account of
/// <c>TWILIO_ACCOUNT_SID</c>/<c>TWILIO_AUTH_TOKEN</c> when both are set, the accounts listed under
/// <c>Accounts</c>, and otherwise a development account created once and kept in the store.
/// </summary>
public sealed class AccountRegistry(ICallStore store, IConfiguration configuration, TimeProvider time, ILogger<AccountRegistry> logger)
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Account>.AlternateLookup<ReadOnlySpan<char>> BySpan => _accounts.GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly ConcurrentDictionary<string, (Account Account, string Secret)> _keys = new(StringComparer.Ordinal);

    /// <summary>The friendly name of the development account, by which a later start finds it again.</summary>
    public const string DevelopmentAccountName = "Development account";

    public Account? DevelopmentAccount { get; private set; }

    /// <summary>The server's default account: the first configured one (<c>TWILIO_ACCOUNT_SID</c> first), else the development account.</summary>
    public Account? Default { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var configured = new List<AccountOptions>();
        configuration.GetSection("Accounts").Bind(configured);
        var sid = configuration["TWILIO_ACCOUNT_SID"];
        var token = configuration["TWILIO_AUTH_TOKEN"];
        if (!string.IsNullOrEmpty(sid) && !string.IsNullOrEmpty(token))
        {
            configured.Insert(0, new AccountOptions { Sid = sid, AuthToken = token });
        }

        foreach (var a in configured)
        {
            if (!Sids.IsValid(a.Sid, "AC") || string.IsNullOrEmpty(a.AuthToken))
            {
                throw new InvalidOperationException($"Account '{a.Sid}' needs an AC… SID and an auth token");
            }
            var account = new Account(a.Sid, a.AuthToken, a.FriendlyName ?? a.Sid, time.GetUtcNow());
            await store.UpsertAccountAsync(account, cancellationToken);
            _accounts[account.Sid] = account;
            Default ??= account;
            AccountsLog.Configured(logger, account.Sid);
        }

        if (configured.Count == 0)
        {
            // Found by its name, not as the first account stored: an account configured in an earlier run (perhaps with
            // the real credentials the SDKs read from the same variables) is neither served nor printed now.
            var existing = await store.GetAccountByNameAsync(DevelopmentAccountName, cancellationToken);
            if (existing is null)
            {
                existing = new Account(Sids.New("AC"), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                    DevelopmentAccountName, time.GetUtcNow());
                await store.UpsertAccountAsync(existing, cancellationToken);
            }
            _accounts[existing.Sid] = existing;
            DevelopmentAccount = existing;
            Default = existing;
            AccountsLog.Development(logger, existing.Sid, existing.AuthToken);
        }

        var keys = new List<ApiKeyOptions>();
        configuration.GetSection("ApiKeys").Bind(keys);
        foreach (var k in keys)
        {
            if (!Sids.IsValid(k.Sid, "SK") || string.IsNullOrEmpty(k.Secret))
            {
                throw new InvalidOperationException($"API key '{k.Sid}' needs an SK… SID (SK and 32 hex digits) and a secret");
            }
            var owner = string.IsNullOrEmpty(k.AccountSid) ? Default! : Find(k.AccountSid)
                ?? throw new InvalidOperationException($"API key '{k.Sid}' names account '{k.AccountSid}', which this server does not serve");
            if (!_keys.TryAdd(k.Sid, (owner, k.Secret)))
            {
                throw new InvalidOperationException($"API key '{k.Sid}' is configured twice");
            }
            AccountsLog.ApiKeyConfigured(logger, k.Sid, owner.Sid);
        }
    }

    public Account? Find(string sid) => _accounts.TryGetValue(sid, out var account) ? account : null;

    /// <summary>The API key with this SID (<c>SK…</c>): its account and secret.</summary>
    public (Account Account, string Secret)? FindKey(ReadOnlySpan<char> sid) =>
        _keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(sid, out var key) ? key : null;

    /// <summary>The account with this SID, looked up without making a string of it (each request's credentials).</summary>
    public Account? Find(ReadOnlySpan<char> sid) => BySpan.TryGetValue(sid, out var account) ? account : null;

    public IEnumerable<Account> All => _accounts.Values;
}
