-- Replay of status callbacks: a replay starts a fresh retry window and attempt budget without
-- forgetting the attempts already made (attempts stays the total shown in the Callbacks list).
ALTER TABLE callbacks ADD COLUMN replayed_at INTEGER;
ALTER TABLE callbacks ADD COLUMN attempts_before_replay INTEGER NOT NULL DEFAULT 0;
-- The account's dead-lettered callbacks by time, for listing and replaying a time range.
CREATE INDEX IF NOT EXISTS callbacks_dead_lettered ON callbacks (account_sid, created_at) WHERE state = 2;
