-- Every status change of every call, in commit order: the source of the resumable event stream.
CREATE TABLE IF NOT EXISTS call_status_events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_sid         TEXT NOT NULL,
    call_sid            TEXT NOT NULL,
    previous_status     TEXT,
    status              TEXT NOT NULL,
    date_created        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS call_status_events_by_account ON call_status_events (account_sid, id);
