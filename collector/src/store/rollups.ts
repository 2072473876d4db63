// Dashboard rollups: per minute (of the run's start) × service × agent × version label × model,
// kept in the same transaction as the spans. A run's contribution changes as its spans arrive,
// so the writer takes back the previous one and adds the new one. Only finished runs count.
// The same figures are kept per hour too (rollup_hour, latency as one encoded histogram per row):
// dashboards over days read ~60× fewer rows from it.
import type Database from 'better-sqlite3';
import type { Run } from '@runlens/schema';
import { versionLabel } from '@runlens/schema';
import { addToEncodedHistogram, latencyBucket } from './latency-histogram.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MINUTES = 60;

/** SQL function (on the writer's connection) adding runs to one bucket of an encoded histogram. */
const LATENCY_ADD_FUNCTION = 'runlens_latency_add';

const SUMS = `runs = runs + excluded.runs, successes = successes + excluded.successes, failures = failures + excluded.failures,
  escalations = escalations + excluded.escalations, budget_stops = budget_stops + excluded.budget_stops,
  tool_calls = tool_calls + excluded.tool_calls, tool_errors = tool_errors + excluded.tool_errors,
  input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
  cost_usd = cost_usd + excluded.cost_usd, cost_known_runs = cost_known_runs + excluded.cost_known_runs,
  policy_violations = policy_violations + excluded.policy_violations`;

// rollup_hour.minute is the hour's first minute, so both tables share a unit and a WHERE clause.
const UPSERT_HOUR_SQL = `INSERT INTO rollup_hour (minute, service, agent, version, model, runs, successes, failures, escalations,
  budget_stops, tool_calls, tool_errors, input_tokens, output_tokens, cost_usd, cost_known_runs, policy_violations, latency)
VALUES (:hour, :service, :agent, :version, :model, :runs, :successes, :failures, :escalations, :budgetStops, :toolCalls,
  :toolErrors, :inputTokens, :outputTokens, :cost, :costKnown, :violations, ${LATENCY_ADD_FUNCTION}(NULL, :bucket, :runs))
ON CONFLICT (minute, service, agent, version, model) DO UPDATE SET ${SUMS},
  latency = ${LATENCY_ADD_FUNCTION}(latency, :bucket, :runs)`;

const UPSERT_SQL = `INSERT INTO rollup_minute (minute, service, agent, version, model, runs, successes, failures, escalations,
  budget_stops, tool_calls, tool_errors, input_tokens, output_tokens, cost_usd, cost_known_runs, policy_violations)
VALUES (:minute, :service, :agent, :version, :model, :runs, :successes, :failures, :escalations, :budgetStops, :toolCalls,
  :toolErrors, :inputTokens, :outputTokens, :cost, :costKnown, :violations)
ON CONFLICT (minute, service, agent, version, model) DO UPDATE SET ${SUMS}`;

const UPSERT_LATENCY_SQL = `INSERT INTO rollup_latency (minute, service, agent, version, model, bucket, runs)
VALUES (:minute, :service, :agent, :version, :model, :bucket, :runs)
ON CONFLICT (minute, service, agent, version, model, bucket) DO UPDATE SET runs = runs + excluded.runs`;

/** The rollup row a run belongs to; '' stands for unknown (primary keys hold no NULLs). */
export function rollupKey(run: Run): { minute: number; service: string; agent: string; version: string; model: string } {
  return {
    minute: Math.floor(run.startTime / MINUTE_MS),
    service: run.service ?? '',
    agent: run.agent ?? '',
    version: versionLabel(run.versions),
    model: run.versions.model ?? '',
  };
}

export class RollupWriter {
  readonly #upsert;
  readonly #upsertLatency;
  readonly #upsertHour;

  constructor(db: Database.Database) {
    db.function(LATENCY_ADD_FUNCTION, { deterministic: true, safeIntegers: false }, (blob: unknown, bucket: unknown, count: unknown) =>
      addToEncodedHistogram(blob as Uint8Array | null, Number(bucket), Number(count)),
    );
    this.#upsert = db.prepare(UPSERT_SQL);
    this.#upsertLatency = db.prepare(UPSERT_LATENCY_SQL);
    this.#upsertHour = db.prepare(UPSERT_HOUR_SQL);
  }

  /** Replaces a run's contribution: `previous` is the run as last stored (null if new). */
  replace(previous: Run | null, next: Run): void {
    if (previous !== null && previous.outcome !== 'running') this.#add(previous, -1);
    if (next.outcome !== 'running') this.#add(next, 1);
  }

  #add(run: Run, sign: 1 | -1): void {
    const key = rollupKey(run);
    const bucket = latencyBucket(run.durationMs);
    this.#upsertLatency.run({ ...key, bucket, runs: sign });
    const sums = {
      runs: sign,
      successes: run.outcome === 'success' ? sign : 0,
      failures: run.outcome === 'failure' ? sign : 0,
      escalations: run.escalated ? sign : 0,
      budgetStops: run.budgetExceeded ? sign : 0,
      toolCalls: sign * run.toolCalls,
      toolErrors: sign * run.toolErrors,
      inputTokens: sign * run.inputTokens,
      outputTokens: sign * run.outputTokens,
      cost: sign * (run.costUsd ?? 0),
      costKnown: run.costUsd === null ? 0 : sign,
      violations: sign * run.policyViolations,
    };
    this.#upsert.run({ ...key, ...sums });
    const { minute, ...dimensions } = key;
    this.#upsertHour.run({ ...dimensions, hour: Math.floor(minute / HOUR_MINUTES) * HOUR_MINUTES, bucket, ...sums });
  }
}
