-- Runlens storage, first version. The runner sets auto_vacuum=INCREMENTAL on a new database
-- before this runs (SQLite cannot change it inside a transaction), so retention can give space
-- back in small steps.

-- Large texts (prompts, outputs, tool arguments and results, long attribute values, resources),
-- stored once by content hash: agents resend the same system prompt on every call.
CREATE TABLE contents (
  id INTEGER PRIMARY KEY,
  -- First 16 bytes of the SHA-256 of the text.
  hash BLOB NOT NULL UNIQUE,
  -- 0: UTF-8 text; 1: deflate-raw of the UTF-8 text (blob-codec.ts).
  encoding INTEGER NOT NULL,
  data BLOB NOT NULL,
  -- 1 when the text is in content_fts (inputs and outputs are; attribute values are not).
  searchable INTEGER NOT NULL DEFAULT 0
);

-- Full-text index over inputs and outputs; rowid = contents.id. Contentless: the text lives in
-- `contents` only, and each distinct content is indexed once.
CREATE VIRTUAL TABLE content_fts USING fts5(text, content = '', contentless_delete = 1);

-- One row per trace, derived from its spans by deriveRun and rewritten as spans arrive.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL UNIQUE,
  name TEXT,
  service TEXT,
  agent TEXT,
  user_id TEXT,
  session_id TEXT,
  model TEXT,
  prompt_version TEXT,
  policy_version TEXT,
  app_version TEXT,
  start_ns INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  outcome TEXT NOT NULL,
  outcome_reason TEXT,
  llm_calls INTEGER NOT NULL,
  tool_calls INTEGER NOT NULL,
  tool_errors INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  escalated INTEGER NOT NULL,
  budget_exceeded INTEGER NOT NULL,
  policy_violations INTEGER NOT NULL,
  span_count INTEGER NOT NULL,
  -- 1 once retention dropped the run's inputs and outputs (its metrics stay).
  content_dropped INTEGER NOT NULL DEFAULT 0
);
-- Newest first, keyset pagination, time filters and retention all walk this one index.
CREATE INDEX runs_by_start ON runs (start_ns, trace_id);
-- Runs whose contents retention may still drop, oldest first (without it each prune would walk
-- every run already dropped).
CREATE INDEX runs_with_contents ON runs (start_ns) WHERE content_dropped = 0;

-- Spans, keyed by their run's integer id: spans of new runs land at the end of the tree, and a
-- run's spans are one range. The columns deriveRun reads are kept so a run can be rebuilt.
CREATE TABLE spans (
  run_id INTEGER NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  otlp_kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_message TEXT,
  error_type TEXT,
  service TEXT,
  model TEXT,
  provider TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_tokens INTEGER,
  cost_usd REAL,
  tool_name TEXT,
  finish_reason TEXT,
  -- JSON of the span's RunFacts; null when it says nothing about its run.
  facts TEXT,
  -- JSON of where the span's large texts are in `contents` (span-rows.ts PayloadRefs): the input,
  -- the output and the long attribute values. Null when there are none or retention dropped them.
  payload TEXT,
  -- JSON {attribute_keys.id: value} of the attributes with short values.
  attributes TEXT NOT NULL,
  -- JSON of the span's events; null when it has none.
  events TEXT,
  resource_cid INTEGER,
  scope_name TEXT,
  scope_version TEXT,
  PRIMARY KEY (run_id, span_id)
) WITHOUT ROWID;

-- Attribute keys, numbered: the same few dozen keys repeat on every span.
CREATE TABLE attribute_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

-- Which runs use which contents: search goes content → runs, and a content is deleted when its
-- last run is.
CREATE TABLE content_refs (
  content_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  PRIMARY KEY (content_id, run_id)
) WITHOUT ROWID;

-- Dashboard rollups per minute (of the run's start) and dimension. '' stands for unknown, since
-- a primary key cannot hold NULLs. Only finished runs count; a run's contribution is replaced
-- in the same transaction as its spans. Retention leaves these rows alone.
CREATE TABLE rollup_minute (
  minute INTEGER NOT NULL,
  service TEXT NOT NULL,
  agent TEXT NOT NULL,
  version TEXT NOT NULL,
  model TEXT NOT NULL,
  runs INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  escalations INTEGER NOT NULL,
  budget_stops INTEGER NOT NULL,
  tool_calls INTEGER NOT NULL,
  tool_errors INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  cost_known_runs INTEGER NOT NULL,
  policy_violations INTEGER NOT NULL,
  PRIMARY KEY (minute, service, agent, version, model)
) WITHOUT ROWID;

-- The run latencies of the same rows as a mergeable histogram: runs per log-spaced bucket
-- (latency-histogram.ts). Summing buckets over any rows gives their percentiles.
CREATE TABLE rollup_latency (
  minute INTEGER NOT NULL,
  service TEXT NOT NULL,
  agent TEXT NOT NULL,
  version TEXT NOT NULL,
  model TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  runs INTEGER NOT NULL,
  PRIMARY KEY (minute, service, agent, version, model, bucket)
) WITHOUT ROWID;

-- gen_ai.evaluation.result log records, against the span they judge.
CREATE TABLE evaluation_results (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  name TEXT,
  score_value REAL,
  score_label TEXT,
  explanation TEXT,
  check_type TEXT,
  check_severity TEXT,
  -- JSON of the record's attributes and body, as received.
  attributes TEXT NOT NULL,
  body TEXT,
  -- SHA-256 prefix of the record: a record sent twice is stored once.
  record_hash BLOB NOT NULL
);
CREATE UNIQUE INDEX evaluation_results_by_span ON evaluation_results (trace_id, span_id, record_hash);

-- Running totals, so health checks never count rows.
CREATE TABLE totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  spans INTEGER NOT NULL,
  runs INTEGER NOT NULL
);
INSERT INTO totals (id, spans, runs) VALUES (1, 0, 0);
