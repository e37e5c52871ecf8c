using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Switchboard.Calls;

namespace Switchboard.Storage.Sqlite;

internal sealed partial class SqliteCallStore
{
    private const string UpsertCallSql = """
        INSERT INTO calls (sid, account_sid, parent_call_sid, to_number, from_number, direction, status, date_created,
            date_updated, start_time, answer_time, end_time, sip_response_code, ring_deadline, time_limit_deadline,
            dispatch_at, answered_by, queue_time, trunk_sid, carrier, next_sequence, instructions, sip_call_id)
        VALUES ($sid, $account, $parent, $to, $from, $direction, $status, $created, $updated, $start, $answer, $end,
            $sip, $ring, $limit, $dispatch, $answered_by, $queue_time, $trunk, $carrier, $next_seq, $instructions, $sip_call_id)
        ON CONFLICT (sid) DO UPDATE SET status = excluded.status, date_updated = excluded.date_updated,
            start_time = excluded.start_time, answer_time = excluded.answer_time, end_time = excluded.end_time,
            sip_response_code = excluded.sip_response_code, ring_deadline = excluded.ring_deadline,
            time_limit_deadline = excluded.time_limit_deadline, dispatch_at = excluded.dispatch_at,
            answered_by = excluded.answered_by, queue_time = excluded.queue_time, trunk_sid = excluded.trunk_sid,
            carrier = excluded.carrier, next_sequence = excluded.next_sequence, instructions = excluded.instructions,
            sip_call_id = excluded.sip_call_id
        """;

    private const string UpdateCallStateSql = """
        UPDATE calls SET status = $status, date_updated = $updated, start_time = $start, answer_time = $answer,
            end_time = $end, sip_response_code = $sip, ring_deadline = $ring, time_limit_deadline = $limit,
            dispatch_at = $dispatch, answered_by = $answered_by, queue_time = $queue_time, trunk_sid = $trunk,
            carrier = $carrier, next_sequence = $next_seq
        WHERE sid = $sid
        """;

    private const string InsertCallbackSql = """
        INSERT OR IGNORE INTO callbacks (call_sid, sequence_number, account_sid, url, method, body, idempotency_token,
            state, attempts, created_at, next_attempt_at, last_error)
        VALUES ($call, $seq, $account, $url, $method, $body, $token, $state, $attempts, $created, $next, $error)
        """;

    private const string UpdateCallbackSql = """
        UPDATE callbacks SET state = $state, attempts = $attempts, next_attempt_at = $next, last_error = $error
        WHERE call_sid = $call AND sequence_number = $seq
        """;

    private const string ReplayCallbackSql = """
        UPDATE callbacks SET state = $state, attempts = max(attempts, $attempts), next_attempt_at = $next, last_error = $error,
            replayed_at = $replayed, attempts_before_replay = max(attempts, $attempts)
        WHERE call_sid = $call AND sequence_number = $seq
        """;

    private const string InsertEventSql = """
        INSERT INTO call_events (call_sid, account_sid, date_created, request, response)
        VALUES ($call, $account, $created, $request, $response)
        """;

    // A callback attempt is kept on its outbox row (its parameters are the row's body); the next attempt moves the
    // previous one to call_events, referring to the row for the parameters.
    private const string UpdateCallbackAttemptSql = """
        UPDATE callbacks SET state = $state, attempts = $attempts, next_attempt_at = $next, last_error = $error,
            latest_attempt_at = $created, latest_request = $request, latest_response = $response
        WHERE call_sid = $call AND sequence_number = $seq
        """;

    private const string MoveLatestAttemptSql = """
        INSERT INTO call_events (call_sid, account_sid, date_created, request, response, callback_sequence)
        SELECT call_sid, account_sid, latest_attempt_at, latest_request, latest_response, sequence_number
        FROM callbacks WHERE call_sid = $call AND sequence_number = $seq AND latest_attempt_at IS NOT NULL
        """;

    private const string InsertNotificationSql = """
        INSERT INTO notifications (sid, call_sid, account_sid, date_created, error_code, log, message_text,
            request_method, request_url, request_variables, response_body, response_headers)
        VALUES ($sid, $call, $account, $created, $code, $log, $text, $method, $url, $variables, $body, $headers)
        """;

    private const string InsertStatusEventSql = """
        INSERT INTO call_status_events (account_sid, call_sid, previous_status, status, date_created, cause)
        VALUES ($account, $call, $previous, $status, $created, $cause)
        """;

    private const string DeleteCallSql = """
        DELETE FROM calls WHERE sid = $sid;
        DELETE FROM call_events WHERE call_sid = $sid;
        DELETE FROM notifications WHERE call_sid = $sid;
        DELETE FROM callbacks WHERE call_sid = $sid;
        DELETE FROM call_status_events WHERE call_sid = $sid;
        """;

    public Task ApplyAsync(IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        var connection = _writer ?? throw new InvalidOperationException("The store is not initialized");
        // The writer is one dedicated loop: SQLite's synchronous API avoids a Task per statement.
        using var transaction = connection.BeginTransaction();
        CoalesceCallRows(writes);
        foreach (var write in writes)
        {
            if (write.Call is { } call)
            {
                WriteCallRow(connection, call);
                if (write.StatusChange is { } change)
                {
                    var p = Row(connection, InsertStatusEventSql);
                    p.AddWithValue("$account", call.AccountSid);
                    p.AddWithValue("$call", call.Sid.Value);
                    p.AddWithValue("$previous", Db(change.Previous?.ToWire()));
                    p.AddWithValue("$status", call.Status.ToWire());
                    p.AddWithValue("$created", Micros.From(call.DateUpdated));
                    p.AddWithValue("$cause", Db(change.Trigger?.ToWire()));
                    p.Execute();
                }
            }
            foreach (var entry in write.Callbacks)
            {
                var p = Row(connection, InsertCallbackSql);
                BindCallback(p, entry);
                p.Execute();
            }
            if (write.Progress is { } progress)
            {
                if (progress.Attempt is not null && progress.Attempts > 1)
                {
                    var move = Row(connection, MoveLatestAttemptSql);
                    move.AddWithValue("$call", progress.CallSid.Value);
                    move.AddWithValue("$seq", progress.SequenceNumber);
                    move.Execute();
                }
                var sql = progress.ReplayedAt is not null ? ReplayCallbackSql : progress.Attempt is not null ? UpdateCallbackAttemptSql : UpdateCallbackSql;
                var p = Row(connection, sql);
                if (progress.ReplayedAt is { } replayed)
                {
                    p.AddWithValue("$replayed", Micros.From(replayed));
                }
                if (progress.Attempt is { } attempt)
                {
                    BindEventRecord(p, attempt, withParameters: false);
                }
                p.AddWithValue("$call", progress.CallSid.Value);
                p.AddWithValue("$seq", progress.SequenceNumber);
                p.AddWithValue("$state", (int)progress.State);
                p.AddWithValue("$attempts", progress.Attempts);
                p.AddWithValue("$next", Micros.From(progress.NextAttemptAt));
                p.AddWithValue("$error", (object?)progress.LastError ?? DBNull.Value);
                p.Execute();
            }
            if (write.Event is { } evt)
            {
                var p = Row(connection, InsertEventSql);
                BindEvent(p, evt);
                p.Execute();
            }
            if (write.Notification is { } n)
            {
                var p = Row(connection, InsertNotificationSql);
                BindNotification(p, n);
                p.Execute();
            }
            if (write.DeleteCall is { } delete)
            {
                var p = Row(connection, DeleteCallSql);
                p.AddWithValue("$sid", delete.Value);
                p.Execute();
            }
        }
        transaction.Commit();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Finds, for each call written in the batch, its last snapshot and whether any of its writes needs the
    /// full row (a new call, changed instructions). A call created and dispatched at once, or answered and
    /// hung up within one commit, then costs one row statement instead of one per write; its status events
    /// are still recorded one per write. The batch is one transaction, so no reader can see the difference.
    /// </summary>
    private void CoalesceCallRows(IReadOnlyList<StoreWrite> writes)
    {
        _callRows.Clear();
        foreach (var write in writes)
        {
            if (write.Call is { } call)
            {
                ref var row = ref CollectionsMarshal.GetValueRefOrAddDefault(_callRows, call.Sid, out _);
                row.Last = call;
                row.Full |= !write.StateOnly;
            }
        }
    }

    /// <summary>Writes a call's row at its first write in the batch, with its last snapshot; later writes skip it.</summary>
    private void WriteCallRow(SqliteConnection connection, Call call)
    {
        ref var row = ref CollectionsMarshal.GetValueRefOrNullRef(_callRows, call.Sid);
        if (row.Written)
        {
            return;
        }
        row.Written = true;
        var last = row.Last!;
        if (row.Full)
        {
            var p = Row(connection, UpsertCallSql);
            BindCall(p, last);
            p.Execute();
        }
        else
        {
            var p = Row(connection, UpdateCallStateSql);
            BindCallState(p, last);
            p.Execute();
        }
    }

    private struct CallRow
    {
        public Call? Last;
        public bool Full;
        public bool Written;
    }

    /// <summary>The binder of <paramref name="sql"/>, ready for a row's values; <see cref="RowBinder.Execute"/> runs it.</summary>
    private RowBinder Row(SqliteConnection connection, string sql)
    {
        // One prepared statement per SQL text for the writer's lifetime, so a row costs a bind and a step, not
        // a parse (Microsoft.Data.Sqlite does not cache statements across command objects; the benchmark showed
        // SQLite's parser at the top of the create path). The statements run on the writer connection's handle,
        // inside the transaction ApplyAsync began on it.
        if (!_writeCommands.TryGetValue(sql, out var binder))
        {
            binder = new RowBinder(connection.Handle ?? throw new InvalidOperationException("The store is not open"), sql);
            _writeCommands.Add(sql, binder);
        }
        binder.Start();
        return binder;
    }

    /// <summary>
    /// The prepared statements of one SQL text and the binding of a row's values. Values are bound straight to
    /// SQLite, text as UTF-16 (SQLite converts it once, in C), with each name's index looked up on the first row
    /// only: later rows must add the same names in the same order, which each binder below does. Through
    /// <see cref="SqliteCommand"/> every row looked each name up again and copied every string to a new UTF-8
    /// array (the writer's profile showed parameter binding above SQLite's own execution).
    /// </summary>
    private sealed class RowBinder : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt[] _statements;
        // Per value position, its parameter index in each statement (0 when the statement does not use it).
        private readonly List<int[]> _indexes = [];
        private int _next;
        // For AddJson, made on first use.
        private ArrayBufferWriter<byte>? _json;
        private Utf8JsonWriter? _jsonWriter;

        public RowBinder(sqlite3 db, string sql)
        {
            _db = db;
            var statements = new List<sqlite3_stmt>();
            ReadOnlySpan<byte> rest = Encoding.UTF8.GetBytes(sql);
            while (!rest.IsEmpty)
            {
                var rc = raw.sqlite3_prepare_v3(db, rest, raw.SQLITE_PREPARE_PERSISTENT, out var statement, out var tail);
                Check(rc);
                if (statement is not null && !statement.IsInvalid)
                {
                    statements.Add(statement);
                }
                rest = tail;
            }
            _statements = [.. statements];
        }

        public void Start() => _next = 0;

        public void AddWithValue(string name, object? value) => BindEach(name, value, Bind);

        /// <summary>A whole number bound as such (not boxed to go through <see cref="Bind"/>: most columns are numbers).</summary>
        public void AddWithValue(string name, long value) =>
            BindEach(name, value, static (statement, index, number) => raw.sqlite3_bind_int64(statement, index, number));

        /// <summary>
        /// A value as JSON text, serialized as UTF-8 into a buffer the binder reuses (SQLite copies what is bound), not
        /// into a string per row.
        /// </summary>
        public void AddJson<T>(string name, T value, JsonTypeInfo<T> info)
        {
            var buffer = _json ??= new ArrayBufferWriter<byte>(1024);
            buffer.ResetWrittenCount();
            var writer = _jsonWriter;
            if (writer is null || writer.Options.Encoder != info.Options.Encoder || writer.Options.Indented != info.Options.WriteIndented)
            {
                // Made again only if a type's options differ from the last one's (the store's contexts share theirs).
                writer = _jsonWriter = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = info.Options.Encoder, Indented = info.Options.WriteIndented });
            }
            writer.Reset(buffer);
            JsonSerializer.Serialize(writer, value, info);
            writer.Flush();
            BindEach(name, buffer.WrittenMemory, static (statement, index, utf8) => raw.sqlite3_bind_text(statement, index, utf8.Span));
        }

        /// <summary>A whole number or NULL, unboxed.</summary>
        public void AddWithValue(string name, long? value)
        {
            if (value is { } number)
            {
                AddWithValue(name, number);
            }
            else
            {
                AddWithValue(name, (object?)null);
            }
        }

        /// <summary>Binds the next value, under <paramref name="name"/>, in each statement that uses it.</summary>
        private void BindEach<T>(string name, T value, Func<sqlite3_stmt, int, T, int> bind)
        {
            var indexes = NextIndexes(name);
            for (var i = 0; i < _statements.Length; i++)
            {
                if (indexes[i] > 0)
                {
                    Check(bind(_statements[i], indexes[i], value));
                }
            }
        }

        /// <summary>The parameter indexes of the next value (looked up on the first row: later rows add the same names in the same order).</summary>
        private int[] NextIndexes(string name)
        {
            if (_next == _indexes.Count)
            {
                _indexes.Add(IndexesOf(name));
            }
            return _indexes[_next++];
        }

        // A method of its own: the lambda's capture of the name is then made on the first row only, not on every call.
        private int[] IndexesOf(string name) => Array.ConvertAll(_statements, s => raw.sqlite3_bind_parameter_index(s, name));

        private static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
        {
            null or DBNull => raw.sqlite3_bind_null(statement, index),
            // An empty span has no address, which SQLite would bind as NULL: bind "" through the UTF-8 overload.
            string { Length: 0 } => raw.sqlite3_bind_text(statement, index, ""),
            string s => raw.sqlite3_bind_text16(statement, index, s.AsSpan()),
            long l => raw.sqlite3_bind_int64(statement, index, l),
            int n => raw.sqlite3_bind_int64(statement, index, n),
            bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
            double d => raw.sqlite3_bind_double(statement, index, d),
            _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name} to a SQLite parameter", nameof(value)),
        };

        public void Execute()
        {
            foreach (var statement in _statements)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc is not (raw.SQLITE_DONE or raw.SQLITE_ROW))
                {
                    var message = raw.sqlite3_errmsg(_db).utf8_to_string();
                    raw.sqlite3_reset(statement);
                    throw new SqliteException(message, rc);
                }
                raw.sqlite3_reset(statement);
            }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc);
            }
        }

        public void Dispose()
        {
            foreach (var statement in _statements)
            {
                statement.Dispose();
            }
            _jsonWriter?.Dispose();
        }
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private static void BindCall(RowBinder p, Call call)
    {
        p.AddWithValue("$sid", call.Sid.Value);
        p.AddWithValue("$account", call.AccountSid);
        p.AddWithValue("$parent", Db(call.ParentCallSid?.Value));
        p.AddWithValue("$to", call.To);
        p.AddWithValue("$from", call.From);
        p.AddWithValue("$direction", call.Direction);
        p.AddWithValue("$created", Micros.From(call.DateCreated));
        BindStateColumns(p, call);
        p.AddJson("$instructions", call.Instructions, StorageJson.Default.CallInstructions);
        p.AddWithValue("$sip_call_id", Db(call.SipCallId));
    }

    private static void BindCallState(RowBinder p, Call call)
    {
        BindStateColumns(p, call);
        p.AddWithValue("$sid", call.Sid.Value);
    }

    /// <summary>The columns a transition changes, shared by the full upsert and the state-only update.</summary>
    private static void BindStateColumns(RowBinder p, Call call)
    {
        var s = call.State;
        p.AddWithValue("$status", s.Status.ToWire());
        p.AddWithValue("$updated", Micros.From(call.DateUpdated));
        p.AddWithValue("$start", Db(Micros.From(s.StartTime)));
        p.AddWithValue("$answer", Db(Micros.From(s.AnswerTime)));
        p.AddWithValue("$end", Db(Micros.From(s.EndTime)));
        p.AddWithValue("$sip", Db(s.SipResponseCode));
        p.AddWithValue("$ring", Db(Micros.From(s.RingDeadline)));
        p.AddWithValue("$limit", Db(Micros.From(s.TimeLimitDeadline)));
        p.AddWithValue("$dispatch", Db(Micros.From(call.DispatchAt)));
        p.AddWithValue("$answered_by", Db(call.AnsweredBy));
        p.AddWithValue("$queue_time", call.QueueTime);
        p.AddWithValue("$trunk", Db(call.TrunkSid));
        p.AddWithValue("$carrier", Db(call.Carrier));
        p.AddWithValue("$next_seq", call.NextSequenceNumber);
    }

    private static void BindCallback(RowBinder p, OutboxEntry e)
    {
        p.AddWithValue("$call", e.CallSid.Value);
        p.AddWithValue("$seq", e.SequenceNumber);
        p.AddWithValue("$account", e.AccountSid);
        p.AddWithValue("$url", e.Url);
        p.AddWithValue("$method", e.Method);
        p.AddWithValue("$body", e.Body);
        p.AddWithValue("$token", e.IdempotencyToken);
        p.AddWithValue("$state", (int)e.State);
        p.AddWithValue("$attempts", e.Attempts);
        p.AddWithValue("$created", Micros.From(e.CreatedAt));
        p.AddWithValue("$next", Micros.From(e.NextAttemptAt));
        p.AddWithValue("$error", Db(e.LastError));
    }

    private static void BindEvent(RowBinder p, CallEventRecord e)
    {
        p.AddWithValue("$call", e.CallSid.Value);
        p.AddWithValue("$account", e.AccountSid);
        BindEventRecord(p, e, withParameters: true);
    }

    /// <summary>The time, request and response of an event; a callback attempt's parameters are its row's body, not stored again.</summary>
    private static void BindEventRecord(RowBinder p, CallEventRecord e, bool withParameters)
    {
        p.AddWithValue("$created", Micros.From(e.DateCreated));
        p.AddJson("$request", new StoredEventRequest(e.Method, e.Url, withParameters ? e.Parameters : []), StoreJsonDocs.Default.StoredEventRequest);
        p.AddJson("$response", new StoredEventResponse(e.ResponseCode, e.RequestDurationMs, e.ContentType, e.ResponseBody, e.Error), StoreJsonDocs.Default.StoredEventResponse);
    }

    private static void BindNotification(RowBinder p, NotificationRecord n)
    {
        p.AddWithValue("$sid", n.Sid);
        p.AddWithValue("$call", n.CallSid.Value);
        p.AddWithValue("$account", n.AccountSid);
        p.AddWithValue("$created", Micros.From(n.DateCreated));
        p.AddWithValue("$code", n.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.AddWithValue("$log", n.Log.ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.AddWithValue("$text", n.MessageText);
        p.AddWithValue("$method", Db(n.RequestMethod));
        p.AddWithValue("$url", Db(n.RequestUrl));
        p.AddWithValue("$variables", Db(n.RequestVariables));
        p.AddWithValue("$body", Db(n.ResponseBody));
        p.AddWithValue("$headers", Db(n.ResponseHeaders));
    }
}
