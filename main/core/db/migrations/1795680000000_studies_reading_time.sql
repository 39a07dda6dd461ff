-- Reader-study additions (owned by the studies engine, main/core/studies): time on a case counted over visits.
-- A visit starts when the case is shown and lasts while the reader's page shows signs of life (a save, a
-- heartbeat every few seconds); a silence longer than the gap (a crash, a closed laptop) ends it, and the case
-- resumes with the time it had. readings.elapsed_ms, set at commit, is the sum over visits.
ALTER TABLE readings ADD COLUMN visit_started_at TEXT;
ALTER TABLE readings ADD COLUMN last_seen_at TEXT;
ALTER TABLE readings ADD COLUMN active_ms_before INTEGER NOT NULL DEFAULT 0 CHECK (active_ms_before >= 0);
UPDATE readings SET visit_started_at = shown_at, last_seen_at = updated_at WHERE committed_at IS NULL;
