-- A reader withdrawn from a study: they can no longer read it, and their readings (kept) leave the statistics.
ALTER TABLE study_readers ADD COLUMN withdrawn_at TEXT;
ALTER TABLE study_readers ADD COLUMN withdrawal_reason TEXT;
