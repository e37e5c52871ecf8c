-- What made each status change (the engine's trigger, e.g. remote-hangup): the "who hung up" of a call summary.
ALTER TABLE call_status_events ADD COLUMN cause TEXT;
-- A call's timeline, and the time it started ringing, for summaries and analytics.
CREATE INDEX IF NOT EXISTS call_status_events_by_call ON call_status_events (call_sid, id);
