-- Reader-study additions (owned by the studies engine, main/core/studies).
-- Sign-in sessions: a bearer token is handed to the client once; only its sha256 is stored, so a copy of the
-- database cannot be used to act as a reader or the coordinator. Sessions survive a restart of the app, so a
-- reader's reload after a crash continues without signing in again.
CREATE TABLE sessions (
  token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
  role         TEXT NOT NULL CHECK (role IN ('reader', 'coordinator')),
  reader_id    INTEGER REFERENCES readers(id),
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  revoked_at   TEXT,
  CHECK ((role = 'reader') = (reader_id IS NOT NULL))
);

-- Free-text instructions shown to readers before they start.
ALTER TABLE studies ADD COLUMN instructions TEXT NOT NULL DEFAULT '';
