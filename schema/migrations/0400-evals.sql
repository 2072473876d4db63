-- Evaluations (issue 9): experiments run by `runlens eval` and their results, case by case and
-- trial by trial. The check results are also `gen_ai.evaluation.result` records on the traces
-- (evaluation_results); these tables keep them per experiment, so an experiment can be compared
-- with a baseline after its traces have been pruned. Times are epoch milliseconds.

-- One `runlens eval` invocation. Several may share a name: the newest is "the" experiment of that
-- name (what --baseline NAME compares with).
CREATE TABLE eval_experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  -- The variant as a JSON object of strings: {"prompt":"v2","model":"gpt-4o"}.
  variant TEXT NOT NULL,
  -- JSON array of dataset names (file names without .jsonl).
  datasets TEXT NOT NULL,
  -- The baseline experiment compared with, by id and name (null without --baseline).
  baseline_id INTEGER,
  baseline_name TEXT,
  verdict TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  -- JSON of the report without its per-case results: counts, rates by suite, reasons, McNemar.
  summary TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX eval_experiments_by_name ON eval_experiments (name, id);

-- One case of an experiment in one trial, with its check results as JSON (CheckResult[]).
CREATE TABLE eval_trials (
  experiment_id INTEGER NOT NULL REFERENCES eval_experiments (id) ON DELETE CASCADE,
  dataset TEXT NOT NULL,
  case_id TEXT NOT NULL,
  suite TEXT NOT NULL,
  severity TEXT NOT NULL,
  attack TEXT,
  trial INTEGER NOT NULL,
  trace_id TEXT,
  passed INTEGER NOT NULL,
  checks TEXT NOT NULL,
  PRIMARY KEY (experiment_id, dataset, case_id, trial)
) WITHOUT ROWID;
CREATE INDEX eval_trials_by_trace ON eval_trials (trace_id);
