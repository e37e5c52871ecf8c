using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchboard.Calls;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteCallStore
{
    private const string CallColumns = """
        sid, account_sid, parent_call_sid, to_number, from_number, direction, status, date_created, date_updated,
        start_time, answer_time, end_time, sip_response_code, ring_deadline, time_limit_deadline, dispatch_at,
        answered_by, queue_time, trunk_sid, carrier, next_sequence, instructions, sip_call_id
        """;

    /// <summary>How many columns <see cref="CallColumns"/> selects: extra columns of a query come after them.</summary>
    private const int CallColumnCount = 23;

    public async Task<Call?> GetCallAsync(CallSid sid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {CallColumns} FROM calls WHERE sid = $sid";
        command.Parameters.AddWithValue("$sid", sid.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCall(reader) : null;
    }

    public async Task<IReadOnlyList<Call>> ListCallsAsync(CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {CallColumns} FROM calls WHERE account_sid = $account");
        command.Parameters.AddWithValue("$account", query.AccountSid);
        if (query.To is { } to)
        {
            sql.Append(" AND to_number = $to");
            command.Parameters.AddWithValue("$to", to);
        }
        if (query.From is { } from)
        {
            sql.Append(" AND from_number = $from");
            command.Parameters.AddWithValue("$from", from);
        }
        if (query.ParentCallSid is { } parent)
        {
            sql.Append(" AND parent_call_sid = $parent");
            command.Parameters.AddWithValue("$parent", parent.Value);
        }
        if (query.Statuses is { Count: > 0 } statuses)
        {
            sql.Append(" AND status IN (");
            for (var i = 0; i < statuses.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append("$status").Append(i);
                command.Parameters.AddWithValue("$status" + i.ToString(CultureInfo.InvariantCulture), statuses[i]);
            }
            sql.Append(')');
        }
        AddRange(sql, command, "start_time", query.StartTimeFrom, query.StartTimeBefore);
        AddRange(sql, command, "end_time", query.EndTimeFrom, query.EndTimeBefore);

        // Newest first; keyset paging on (date_created, sid) so new calls never shift later pages.
        var descending = !query.Backward;
        if (query.Cursor is { } cursor)
        {
            sql.Append(descending
                ? " AND (date_created, sid) < (SELECT date_created, sid FROM calls WHERE sid = $cursor)"
                : " AND (date_created, sid) > (SELECT date_created, sid FROM calls WHERE sid = $cursor)");
            command.Parameters.AddWithValue("$cursor", cursor.Value);
        }
        sql.Append(descending ? " ORDER BY date_created DESC, sid DESC" : " ORDER BY date_created ASC, sid ASC");
        sql.Append(" LIMIT $limit OFFSET $offset");
        command.Parameters.AddWithValue("$limit", query.PageSize);
        command.Parameters.AddWithValue("$offset", query.Cursor is null ? query.Offset : 0);
        command.CommandText = sql.ToString();

        var calls = new List<Call>(Math.Min(query.PageSize, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(ReadCall(reader));
        }
        if (!descending)
        {
            calls.Reverse();
        }
        return calls;
    }

    private static void AddRange(StringBuilder sql, SqliteCommand command, string column, DateTimeOffset? from, DateTimeOffset? before)
    {
        if (from is { } f)
        {
            sql.Append(" AND ").Append(column).Append(" >= $").Append(column).Append("_from");
            command.Parameters.AddWithValue("$" + column + "_from", Micros.From(f));
        }
        if (before is { } b)
        {
            sql.Append(" AND ").Append(column).Append(" < $").Append(column).Append("_before");
            command.Parameters.AddWithValue("$" + column + "_before", Micros.From(b));
        }
    }

    public async Task<IReadOnlyList<Call>> LoadUnfinishedCallsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {CallColumns} FROM calls WHERE status IN ('queued', 'initiated', 'ringing', 'in-progress') ORDER BY date_created";
        var calls = new List<Call>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(ReadCall(reader));
        }
        return calls;
    }

    private static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : Micros.ToTime(r.GetInt64(i));

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static Call ReadCall(DbDataReader r)
    {
        CallStatusNames.TryParse(r.GetString(6), out var status);
        return new Call
        {
            Sid = CallSid.Parse(r.GetString(0)),
            AccountSid = r.GetString(1),
            ParentCallSid = r.IsDBNull(2) ? null : CallSid.Parse(r.GetString(2)),
            To = r.GetString(3),
            From = r.GetString(4),
            Direction = r.GetString(5),
            DateCreated = Micros.ToTime(r.GetInt64(7)),
            DateUpdated = Micros.ToTime(r.GetInt64(8)),
            State = new CallState
            {
                Status = status,
                StartTime = Time(r, 9),
                AnswerTime = Time(r, 10),
                EndTime = Time(r, 11),
                SipResponseCode = r.IsDBNull(12) ? null : r.GetInt32(12),
                RingDeadline = Time(r, 13),
                TimeLimitDeadline = Time(r, 14),
            },
            DispatchAt = Time(r, 15),
            AnsweredBy = Text(r, 16),
            QueueTime = r.GetInt64(17),
            TrunkSid = Text(r, 18),
            Carrier = Text(r, 19),
            NextSequenceNumber = r.GetInt32(20),
            Instructions = DeserializeInstructions(r.GetString(21)),
            SipCallId = Text(r, 22),
        };
    }

    private const string CallbackColumns =
        "call_sid, sequence_number, account_sid, url, method, body, idempotency_token, state, attempts, created_at, next_attempt_at, last_error, replayed_at, attempts_before_replay";

    public Task<IReadOnlyList<OutboxEntry>> LoadPendingCallbacksAsync(CancellationToken cancellationToken) =>
        ReadCallbacksAsync($"SELECT {CallbackColumns} FROM callbacks WHERE state = 0 ORDER BY call_sid, sequence_number", null, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ListCallbacksAsync(CallSid callSid, CancellationToken cancellationToken) =>
        ReadCallbacksAsync($"SELECT {CallbackColumns} FROM callbacks WHERE call_sid = $call ORDER BY sequence_number", callSid, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ListCallbacksAsync(string accountSid, CallbackState state, DateTimeOffset? from, DateTimeOffset? before,
        int offset, int count, CancellationToken cancellationToken) =>
        ReadCallbacksAsync($"""
            SELECT {CallbackColumns} FROM callbacks WHERE account_sid = $account AND state = $state
                AND created_at >= $from AND created_at < $before
            ORDER BY created_at, call_sid, sequence_number LIMIT $limit OFFSET $offset
            """, null, cancellationToken, p =>
            {
                p.AddWithValue("$account", accountSid);
                p.AddWithValue("$state", (int)state);
                p.AddWithValue("$from", from is { } f ? Micros.From(f) : long.MinValue);
                p.AddWithValue("$before", before is { } b ? Micros.From(b) : long.MaxValue);
                p.AddWithValue("$limit", count);
                p.AddWithValue("$offset", offset);
            });

    private async Task<IReadOnlyList<OutboxEntry>> ReadCallbacksAsync(string sql, CallSid? callSid, CancellationToken cancellationToken,
        Action<SqliteParameterCollection>? bind = null)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (callSid is { } sid)
        {
            command.Parameters.AddWithValue("$call", sid.Value);
        }
        bind?.Invoke(command.Parameters);
        var entries = new List<OutboxEntry>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            entries.Add(new OutboxEntry
            {
                CallSid = CallSid.Parse(r.GetString(0)),
                SequenceNumber = r.GetInt32(1),
                AccountSid = r.GetString(2),
                Url = r.GetString(3),
                Method = r.GetString(4),
                Body = r.GetString(5),
                IdempotencyToken = r.GetString(6),
                State = (CallbackState)r.GetInt32(7),
                Attempts = r.GetInt32(8),
                CreatedAt = Micros.ToTime(r.GetInt64(9)),
                NextAttemptAt = Micros.ToTime(r.GetInt64(10)),
                LastError = Text(r, 11),
                ReplayedAt = Time(r, 12),
                AttemptsBeforeReplay = r.GetInt32(13),
            });
        }
        return entries;
    }

    public async Task<IReadOnlyList<CallEventRecord>> ListEventsAsync(CallSid callSid, int offset, int count, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The call's events, and the latest attempt of each of its callbacks, which its outbox row keeps; a
        // callback attempt's parameters are the row's body. In time order, then in the order they were written.
        command.CommandText = """
            SELECT call_sid, account_sid, date_created, request, response, callback_sequence, body FROM (
                SELECT e.call_sid, e.account_sid, e.date_created, e.request, e.response, e.callback_sequence, c.body, 0 AS source, e.id AS position
                FROM call_events e LEFT JOIN callbacks c ON c.call_sid = e.call_sid AND c.sequence_number = e.callback_sequence
                WHERE e.call_sid = $call
                UNION ALL
                SELECT call_sid, account_sid, latest_attempt_at, latest_request, latest_response, sequence_number, body, 1, sequence_number
                FROM callbacks WHERE call_sid = $call AND latest_attempt_at IS NOT NULL)
            ORDER BY date_created, source, position LIMIT $limit OFFSET $offset
            """;
        command.Parameters.AddWithValue("$call", callSid.Value);
        command.Parameters.AddWithValue("$limit", count);
        command.Parameters.AddWithValue("$offset", offset);
        var events = new List<CallEventRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var request = JsonSerializer.Deserialize(r.GetString(3), StoreJsonDocs.Default.StoredEventRequest)!;
            var response = JsonSerializer.Deserialize(r.GetString(4), StoreJsonDocs.Default.StoredEventResponse)!;
            events.Add(new CallEventRecord
            {
                CallSid = CallSid.Parse(r.GetString(0)),
                AccountSid = r.GetString(1),
                DateCreated = Micros.ToTime(r.GetInt64(2)),
                Method = request.Method,
                Url = request.Url,
                Parameters = r.IsDBNull(6) ? request.Parameters : OutboxEntry.ParseBody(r.GetString(6)),
                ResponseCode = response.ResponseCode,
                RequestDurationMs = response.RequestDuration,
                ContentType = response.ContentType,
                ResponseBody = response.ResponseBody,
                Error = response.Error,
            });
        }
        return events;
    }

    private const string NotificationColumns =
        "sid, call_sid, account_sid, date_created, error_code, log, message_text, request_method, request_url, request_variables, response_body, response_headers";

    public async Task<IReadOnlyList<NotificationRecord>> ListNotificationsAsync(CallSid callSid, NotificationQuery query, int offset, int count,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {NotificationColumns} FROM notifications WHERE call_sid = $call");
        if (query.Log is { } log)
        {
            sql.Append(" AND log = $log");
            command.Parameters.AddWithValue("$log", log.ToString(CultureInfo.InvariantCulture));
        }
        AddRange(sql, command, "date_created", query.From, query.Before);
        command.CommandText = sql.Append(" ORDER BY date_created DESC, sid LIMIT $limit OFFSET $offset").ToString();
        command.Parameters.AddWithValue("$call", callSid.Value);
        command.Parameters.AddWithValue("$limit", count);
        command.Parameters.AddWithValue("$offset", offset);
        var list = new List<NotificationRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(ReadNotification(r));
        }
        return list;
    }

    public async Task<NotificationRecord?> GetNotificationAsync(string sid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {NotificationColumns} FROM notifications WHERE sid = $sid";
        command.Parameters.AddWithValue("$sid", sid);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadNotification(r) : null;
    }

    private static NotificationRecord ReadNotification(DbDataReader r) => new()
    {
        Sid = r.GetString(0),
        CallSid = CallSid.Parse(r.GetString(1)),
        AccountSid = r.GetString(2),
        DateCreated = Micros.ToTime(r.GetInt64(3)),
        ErrorCode = int.Parse(r.GetString(4), CultureInfo.InvariantCulture),
        Log = int.Parse(r.GetString(5), CultureInfo.InvariantCulture),
        MessageText = r.GetString(6),
        RequestMethod = Text(r, 7),
        RequestUrl = Text(r, 8),
        RequestVariables = Text(r, 9),
        ResponseBody = Text(r, 10),
        ResponseHeaders = Text(r, 11),
    };
}
