-- Times are microseconds since the Unix epoch (UTC): sortable, exact, portable to PostgreSQL bigint.
CREATE TABLE IF NOT EXISTS accounts (
    sid             TEXT PRIMARY KEY,
    auth_token      TEXT NOT NULL,
    friendly_name   TEXT NOT NULL,
    date_created    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS calls (
    sid                 TEXT PRIMARY KEY,
    account_sid         TEXT NOT NULL,
    parent_call_sid     TEXT,
    to_number           TEXT NOT NULL,
    from_number         TEXT NOT NULL,
    direction           TEXT NOT NULL,
    status              TEXT NOT NULL,
    date_created        INTEGER NOT NULL,
    date_updated        INTEGER NOT NULL,
    start_time          INTEGER,
    answer_time         INTEGER,
    end_time            INTEGER,
    sip_response_code   INTEGER,
    ring_deadline       INTEGER,
    time_limit_deadline INTEGER,
    dispatch_at         INTEGER,
    answered_by         TEXT,
    queue_time          INTEGER NOT NULL,
    trunk_sid           TEXT,
    carrier             TEXT,
    next_sequence       INTEGER NOT NULL,
    instructions        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_account ON calls (account_sid, date_created DESC, sid DESC);
CREATE INDEX IF NOT EXISTS calls_by_parent ON calls (parent_call_sid) WHERE parent_call_sid IS NOT NULL;
CREATE INDEX IF NOT EXISTS calls_active ON calls (status) WHERE status IN ('queued', 'initiated', 'ringing', 'in-progress');

-- The outbox: one row per status callback, written in the transaction of the transition that caused it.
CREATE TABLE IF NOT EXISTS callbacks (
    call_sid            TEXT NOT NULL,
    sequence_number     INTEGER NOT NULL,
    account_sid         TEXT NOT NULL,
    url                 TEXT NOT NULL,
    method              TEXT NOT NULL,
    body                TEXT NOT NULL,
    idempotency_token   TEXT NOT NULL,
    state               INTEGER NOT NULL,
    attempts            INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    next_attempt_at     INTEGER NOT NULL,
    last_error          TEXT,
    PRIMARY KEY (call_sid, sequence_number)
);
CREATE INDEX IF NOT EXISTS callbacks_pending ON callbacks (state) WHERE state = 0;

CREATE TABLE IF NOT EXISTS call_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    call_sid        TEXT NOT NULL,
    account_sid     TEXT NOT NULL,
    date_created    INTEGER NOT NULL,
    request         TEXT NOT NULL,
    response        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS call_events_by_call ON call_events (call_sid, id);

CREATE TABLE IF NOT EXISTS notifications (
    sid                 TEXT PRIMARY KEY,
    call_sid            TEXT NOT NULL,
    account_sid         TEXT NOT NULL,
    date_created        INTEGER NOT NULL,
    error_code          TEXT NOT NULL,
    log                 TEXT NOT NULL,
    message_text        TEXT NOT NULL,
    request_method      TEXT,
    request_url         TEXT,
    request_variables   TEXT,
    response_body       TEXT,
    response_headers    TEXT
);
CREATE INDEX IF NOT EXISTS notifications_by_call ON notifications (call_sid, date_created);
