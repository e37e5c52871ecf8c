using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Calls;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The embedded store. One writer connection applies group commits (WAL, <c>synchronous=FULL</c>: a
/// commit is on disk before the API answers); readers use pooled connections, which WAL lets run
/// beside the writer.
/// </summary>
internal sealed partial class SqliteCallStore : ICallStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private SqliteConnection? _writer;
    // Touched only by the group-commit writer (one batch at a time).
    private readonly Dictionary<string, RowBinder> _writeCommands = new(StringComparer.Ordinal);
    // The calls written in the batch being applied (see CoalesceCallRows); also the writer's only.
    private readonly Dictionary<CallSid, CallRow> _callRows = [];

    public SqliteCallStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            // Readers wait for a checkpoint or the writer's lock instead of failing at once.
            DefaultTimeout = 30,
        };
        _connectionString = builder.ToString();
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _writer = new SqliteConnection(_connectionString);
        await _writer.OpenAsync(cancellationToken);
        // WAL + synchronous=FULL: a commit is on disk before it is acknowledged (DESIGN decision 3).
        // A 4 MiB page cache (twice SQLite's default) holds the right-hand edges of the tables and indexes
        // that new calls append to (CallSids are time-ordered); it fills within the first ~20,000 calls and
        // then stays resident, so it counts in the memory of a server with many live calls: 16 MiB cost
        // about 12 MB more resident memory, with no fewer read system calls per created call
        // (docs/performance.md, "Memory (d)"). Checkpoints every ~16 MiB of WAL instead of 4 MiB, so a
        // busy writer copies pages to the database file in fewer, larger steps.
        await ExecuteAsync(_writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; " +
            "PRAGMA cache_size=-4096; PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY;", cancellationToken);
        await SqliteMigrations.ApplyAsync(_writer, cancellationToken);
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var binder in _writeCommands.Values)
        {
            binder.Dispose();
        }
        _writeCommands.Clear();
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
    }

    public Task<Account?> GetAccountAsync(string sid, CancellationToken cancellationToken) =>
        QueryAccountAsync("WHERE sid = $value", sid, cancellationToken);

    public Task<Account?> GetFirstAccountAsync(CancellationToken cancellationToken) =>
        QueryAccountAsync("ORDER BY date_created LIMIT 1", null, cancellationToken);

    public Task<Account?> GetAccountByNameAsync(string friendlyName, CancellationToken cancellationToken) =>
        QueryAccountAsync("WHERE friendly_name = $value ORDER BY date_created LIMIT 1", friendlyName, cancellationToken);

    /// <summary>The first account the clause selects; <c>$value</c> in it is bound to <paramref name="value"/>.</summary>
    private async Task<Account?> QueryAccountAsync(string clause, string? value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sid, auth_token, friendly_name, date_created FROM accounts " + clause;
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAccount(reader) : null;
    }

    private static Account ReadAccount(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), Micros.ToTime(reader.GetInt64(3)));

    public async Task UpsertAccountAsync(Account account, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES ($sid, $token, $name, $created)
            ON CONFLICT (sid) DO UPDATE SET auth_token = excluded.auth_token, friendly_name = excluded.friendly_name
            """;
        command.Parameters.AddWithValue("$sid", account.Sid);
        command.Parameters.AddWithValue("$token", account.AuthToken);
        command.Parameters.AddWithValue("$name", account.FriendlyName);
        command.Parameters.AddWithValue("$created", Micros.From(account.DateCreated));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static CallInstructions DeserializeInstructions(string json) =>
        JsonSerializer.Deserialize(json, StorageJson.Default.CallInstructions)
        ?? throw new InvalidDataException("Stored call instructions are empty");
}
