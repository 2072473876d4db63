-- Tool policy (issue 10): applied policy versions (old ones kept), approval requests with their
-- votes, and drafts held by draft-only autonomy. Times are epoch milliseconds.

-- Every `runlens policy apply` adds a row; the newest row is the policy in force.
CREATE TABLE policy_versions (
  id INTEGER PRIMARY KEY,
  -- The document's own `version` field.
  version TEXT NOT NULL,
  -- The validated policy as JSON (what GET /api/policy serves).
  document TEXT NOT NULL,
  -- The file as written, for diffing versions.
  source TEXT NOT NULL,
  file_name TEXT,
  applied_at INTEGER NOT NULL,
  applied_by TEXT NOT NULL
);

-- An approval request filed by an agent (POST /api/approvals). `requirement` is the engine's
-- ApprovalRequirement for the call; `status` is kept in step with the votes.
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT,
  trace_id TEXT,
  span_id TEXT,
  run_name TEXT,
  initiating_user TEXT,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  policy_version TEXT,
  requirement TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER,
  status TEXT NOT NULL,
  status_reason TEXT,
  decided_at INTEGER,
  filed_by TEXT NOT NULL
);
CREATE INDEX approvals_by_status ON approvals (status, requested_at);

-- Each person's answer, whether or not it counted (the reason says why not).
CREATE TABLE approval_votes (
  id INTEGER PRIMARY KEY,
  approval_id TEXT NOT NULL REFERENCES approvals (id),
  approver TEXT NOT NULL,
  decision TEXT NOT NULL,
  comment TEXT,
  at INTEGER NOT NULL,
  counted INTEGER NOT NULL,
  role TEXT,
  reason TEXT NOT NULL
);
CREATE INDEX approval_votes_by_approval ON approval_votes (approval_id, at);

-- A write an agent would have made, held for review (draft-only autonomy).
CREATE TABLE drafts (
  id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  tool TEXT NOT NULL,
  arguments TEXT,
  trace_id TEXT,
  span_id TEXT,
  run_name TEXT,
  rule TEXT,
  reason TEXT,
  draft_tool TEXT,
  policy_version TEXT,
  created_at INTEGER NOT NULL,
  filed_by TEXT NOT NULL
);
CREATE INDEX drafts_by_time ON drafts (created_at);
