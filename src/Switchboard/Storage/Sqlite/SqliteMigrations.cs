using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>Applies the embedded <c>Migrations/*.sql</c> scripts in order, tracked by <c>PRAGMA user_version</c>.</summary>
internal static class SqliteMigrations
{
    public static async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var assembly = typeof(SqliteMigrations).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        await using var versionCommand = connection.CreateCommand();
        versionCommand.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(await versionCommand.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        for (var i = version; i < scripts.Count; i++)
        {
            await using var stream = assembly.GetManifestResourceStream(scripts[i])
                ?? throw new InvalidOperationException($"Missing migration {scripts[i]}");
            using var text = new StreamReader(stream);
            var sql = await text.ReadToEndAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql + $"; PRAGMA user_version = {i + 1};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
