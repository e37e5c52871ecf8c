-- Call Events of status callbacks (Calls/{Sid}/Events.json): the outbox row keeps its callback's latest attempt, so a
-- delivery writes one row; the attempt a later one supersedes moves to call_events and refers to the row
-- (callback_sequence) for its parameters, which are the row's body, instead of storing them again.
ALTER TABLE callbacks ADD COLUMN latest_attempt_at INTEGER;
ALTER TABLE callbacks ADD COLUMN latest_request TEXT;
ALTER TABLE callbacks ADD COLUMN latest_response TEXT;
ALTER TABLE call_events ADD COLUMN callback_sequence INTEGER;
