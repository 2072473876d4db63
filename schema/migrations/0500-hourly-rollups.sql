-- Dashboard rollups per hour: the same figures as rollup_minute summed over the hour, so that
-- dashboards over days read ~60× fewer rows. `minute` is the hour's first minute (a multiple of
-- 60), the unit of rollup_minute. The latency histogram is one BLOB per row: per non-empty
-- bucket, the bucket as uint16 then its runs as int32, big-endian, ascending
-- (collector/src/store/latency-histogram.ts). The writer keeps both tables in the same
-- transaction; retention leaves these rows alone.
CREATE TABLE rollup_hour (
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
  latency BLOB NOT NULL,
  PRIMARY KEY (minute, service, agent, version, model)
) WITHOUT ROWID;

-- Backfill from the minute rollups already stored.
INSERT INTO rollup_hour
WITH hour_buckets AS (
  SELECT minute / 60 * 60 AS hour, service, agent, version, model, bucket, sum(runs) AS runs
  FROM rollup_latency GROUP BY hour, service, agent, version, model, bucket HAVING sum(runs) > 0
), hour_latency AS (
  SELECT hour, service, agent, version, model, unhex(group_concat(printf('%04x%08x', bucket, runs), '' ORDER BY bucket)) AS latency
  FROM hour_buckets GROUP BY hour, service, agent, version, model
), hour_sums AS (
  SELECT minute / 60 * 60 AS hour, service, agent, version, model, sum(runs) AS runs, sum(successes) AS successes,
    sum(failures) AS failures, sum(escalations) AS escalations, sum(budget_stops) AS budget_stops,
    sum(tool_calls) AS tool_calls, sum(tool_errors) AS tool_errors, sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, sum(cost_known_runs) AS cost_known_runs,
    sum(policy_violations) AS policy_violations
  FROM rollup_minute GROUP BY hour, service, agent, version, model
)
SELECT s.hour, s.service, s.agent, s.version, s.model, s.runs, s.successes, s.failures, s.escalations, s.budget_stops,
  s.tool_calls, s.tool_errors, s.input_tokens, s.output_tokens, s.cost_usd, s.cost_known_runs, s.policy_violations,
  coalesce(l.latency, x'')
FROM hour_sums s LEFT JOIN hour_latency l
  ON l.hour = s.hour AND l.service = s.service AND l.agent = s.agent AND l.version = s.version AND l.model = s.model;
