-- Who may write and read (security): ingest keys per service identity, user tokens with a role,
-- and the access log of reads of trace contents. Secrets are never stored: only the SHA-256 of
-- each token, compared in constant time after a lookup by the token's public id.

CREATE TABLE ingest_keys (
  -- Public part of the token (`rlk_<id>_<secret>`), shown by `runlens keys list`.
  id TEXT PRIMARY KEY,
  -- The service identity (agent workflow) stamped on every span sent with the key.
  identity TEXT NOT NULL,
  -- When set, spans of any other service.name are rejected.
  service TEXT,
  -- SHA-256 of the whole token.
  hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) WITHOUT ROWID;

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
  hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) WITHOUT ROWID;

-- One row per read of a trace's contents (GET /api/runs/:traceId, a search with q).
CREATE TABLE access_log (
  id INTEGER PRIMARY KEY,
  -- Epoch milliseconds.
  at INTEGER NOT NULL,
  principal TEXT NOT NULL,
  -- 'trace' (one trace read) or 'search' (runs searched by their contents).
  action TEXT NOT NULL,
  trace_id TEXT,
  query TEXT
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_trace ON access_log (trace_id, at);
