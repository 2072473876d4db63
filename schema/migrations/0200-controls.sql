-- Production controls (issue 7): the kill switch's autonomy level per service, the log of every
-- change to it, and the state of each alert so a restart neither forgets nor re-sends one.

-- The current autonomy level of a service; a service with no row runs at `full`.
CREATE TABLE autonomy (
  service TEXT PRIMARY KEY,
  -- full, write, draft-only, read-only, off (schema/src/policy AUTONOMY_LEVELS).
  level TEXT NOT NULL,
  reason TEXT,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every change of an autonomy level, who made it and when (epoch ms). Kept until the access log
-- of the security work takes these records.
CREATE TABLE autonomy_changes (
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  previous_level TEXT NOT NULL,
  level TEXT NOT NULL,
  reason TEXT,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL,
  -- api, cli or viewer: where the change came from.
  source TEXT NOT NULL
);
CREATE INDEX autonomy_changes_by_service ON autonomy_changes (service, changed_at);

-- One row per alert rule and group ('' when the rule is not grouped): firing or resolved, the
-- last value seen, and whether the webhook has been told of the current state.
CREATE TABLE alerts (
  rule TEXT NOT NULL,
  grp TEXT NOT NULL,
  state TEXT NOT NULL,
  value REAL,
  -- Epoch ms: when the current state began, and when the rule was last evaluated.
  since INTEGER NOT NULL,
  evaluated_at INTEGER NOT NULL,
  -- 1 once the webhook acknowledged the notification of the current state.
  notified INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (rule, grp)
) WITHOUT ROWID;
