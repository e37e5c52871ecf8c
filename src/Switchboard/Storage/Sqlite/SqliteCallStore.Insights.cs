using System.Text;
using Microsoft.Data.Sqlite;
using Switchboard.Calls;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteCallStore
{
    public async Task<IReadOnlyList<StatusEventRecord>> ListStatusEventsAsync(StatusEventQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT e.id, e.account_sid, e.call_sid, e.previous_status, e.status, e.date_created, e.cause,
                c.to_number, c.from_number, c.direction, c.parent_call_sid, c.carrier
            FROM call_status_events e LEFT JOIN calls c ON c.sid = e.call_sid
            WHERE e.account_sid = $account AND e.id > $after
            """);
        command.Parameters.AddWithValue("$account", query.AccountSid);
        command.Parameters.AddWithValue("$after", query.AfterId);
        if (query.CallSid is { } callSid)
        {
            sql.Append(" AND e.call_sid = $call");
            command.Parameters.AddWithValue("$call", callSid.Value);
        }
        sql.Append(" ORDER BY e.id LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();

        var events = new List<StatusEventRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            CallStatusNames.TryParse(r.GetString(4), out var status);
            events.Add(new StatusEventRecord
            {
                Id = r.GetInt64(0),
                AccountSid = r.GetString(1),
                CallSid = CallSid.Parse(r.GetString(2)),
                PreviousStatus = CallStatusNames.TryParse(Text(r, 3), out var previous) ? previous : null,
                Status = status,
                DateCreated = Micros.ToTime(r.GetInt64(5)),
                Cause = Text(r, 6),
                To = Text(r, 7),
                From = Text(r, 8),
                Direction = Text(r, 9),
                ParentCallSid = r.IsDBNull(10) ? null : CallSid.Parse(r.GetString(10)),
                Carrier = Text(r, 11),
            });
        }
        return events;
    }

    public async Task<IReadOnlyList<CallFacts>> ListCallFactsAsync(InsightsQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"""
            SELECT {CallColumns},
                (SELECT MIN(e.date_created) FROM call_status_events e WHERE e.call_sid = calls.sid AND e.status = 'ringing'),
                (SELECT e.cause FROM call_status_events e WHERE e.call_sid = calls.sid ORDER BY e.id DESC LIMIT 1)
            FROM calls
            """);
        AppendFilters(sql, command, query, "calls");
        sql.Append(" ORDER BY date_created, sid LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();

        var facts = new List<CallFacts>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            facts.Add(new CallFacts(ReadCall(r), Time(r, CallColumnCount), Text(r, CallColumnCount + 1)));
        }
        return facts;
    }

    public async Task<IReadOnlyList<CallbackTiming>> ListCallbackTimingsAsync(InsightsQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A delivered row's next_attempt_at is the time of its successful attempt (CallbackDispatcher.FinishAsync).
        var sql = new StringBuilder("""
            SELECT b.call_sid, b.sequence_number, b.state, b.attempts, b.created_at, b.next_attempt_at
            FROM callbacks b JOIN calls ON calls.sid = b.call_sid
            """);
        AppendFilters(sql, command, query, "calls");
        sql.Append(" ORDER BY b.created_at LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit);
        command.CommandText = sql.ToString();

        var timings = new List<CallbackTiming>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var state = (CallbackState)r.GetInt32(2);
            timings.Add(new CallbackTiming(CallSid.Parse(r.GetString(0)), r.GetInt32(1), state, r.GetInt32(3),
                Micros.ToTime(r.GetInt64(4)), state == CallbackState.Delivered ? Micros.ToTime(r.GetInt64(5)) : null));
        }
        return timings;
    }

    private static void AppendFilters(StringBuilder sql, SqliteCommand command, InsightsQuery query, string calls)
    {
        sql.Append(" WHERE ").Append(calls).Append(".account_sid = $account");
        command.Parameters.AddWithValue("$account", query.AccountSid);
        if (query.From is { } from)
        {
            sql.Append(" AND ").Append(calls).Append(".date_created >= $from");
            command.Parameters.AddWithValue("$from", Micros.From(from));
        }
        if (query.Before is { } before)
        {
            sql.Append(" AND ").Append(calls).Append(".date_created < $before");
            command.Parameters.AddWithValue("$before", Micros.From(before));
        }
        if (query.Carrier is { } carrier)
        {
            sql.Append(" AND ").Append(calls).Append(".carrier = $carrier");
            command.Parameters.AddWithValue("$carrier", carrier);
        }
        if (query.ToPrefix is { Length: > 0 } prefix)
        {
            // substr, not LIKE: a prefix is literal ('_' and '%' are not wildcards here).
            sql.Append(" AND substr(").Append(calls).Append(".to_number, 1, length($prefix)) = $prefix");
            command.Parameters.AddWithValue("$prefix", prefix);
        }
    }
}
