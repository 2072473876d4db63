// Reads what the gate compares from the runs table: one aggregate row and the per-run duration
// and cost of each side. Only finished runs count. Works on any read connection: the store's
// (the collector serving /api/gate) or a read-only file (`runlens gate --db`).
import { VERSION_KEYS, type GateQuery, type VersionKey, type VersionSelector, type VersionsSeen } from '@runlens/schema';

/** A read-only query: rows as objects. `Store.query` and better-sqlite3 both provide it. */
export type ReadQuery = <T>(sql: string, params?: unknown[]) => T[];

/** The column of `runs` holding each version key (values never reach SQL text; columns come from here). */
const VERSION_COLUMN: Record<VersionKey, string> = {
  prompt: 'prompt_version',
  policy: 'policy_version',
  app: 'app_version',
  model: 'model',
};

export interface SideSamples {
  runs: number;
  successes: number;
  escalations: number;
  budgetStops: number;
  runsWithViolations: number;
  toolCalls: number;
  toolErrors: number;
  durationsMs: number[];
  /** Cost of each run whose cost is known (a run with an unpriced model has none). */
  costsUsd: number[];
  /**
   * Evaluation results of this version: the trials of the newest `runlens eval` experiment whose
   * variant has this version (all checks of a case passed = a pass), else the
   * `gen_ai.evaluation.result` checks recorded on the side's runs.
   */
  evalChecks: number;
  evalPassed: number;
  /** The experiment the evaluation results come from; null when they are checks on runs, or none. */
  evalExperiment: string | null;
}

const NS_PER_MS = 1_000_000n;

function where(query: GateQuery, side: VersionSelector): { sql: string; params: unknown[] } {
  const clauses = ["r.outcome != 'running'", 'r.start_ns >= ?', 'r.start_ns < ?', `r.${VERSION_COLUMN[side.key]} = ?`];
  const params: unknown[] = [BigInt(Math.floor(query.from)) * NS_PER_MS, BigInt(Math.floor(query.to)) * NS_PER_MS, side.value];
  if (query.service !== undefined) {
    clauses.push('r.service = ?');
    params.push(query.service);
  }
  return { sql: clauses.join(' AND '), params };
}

/** Labels evaluation checks report for a pass (OTel leaves the vocabulary open). */
const PASS_LABELS = "('pass', 'passed', 'correct', 'true', 'ok')";

export function readSide(read: ReadQuery, query: GateQuery, side: VersionSelector): SideSamples {
  const w = where(query, side);
  const totals = read<Record<string, number | bigint | null>>(
    `SELECT count(*) AS runs, sum(r.outcome = 'success') AS successes, sum(r.escalated != 0) AS escalations,
       sum(r.budget_exceeded != 0) AS budget_stops, sum(r.policy_violations > 0) AS with_violations,
       sum(r.tool_calls) AS tool_calls, sum(r.tool_errors) AS tool_errors
     FROM runs r WHERE ${w.sql}`,
    w.params,
  )[0] ?? {};
  const perRun = read<{ duration_ms: number; cost_usd: number | null }>(`SELECT r.duration_ms, r.cost_usd FROM runs r WHERE ${w.sql}`, w.params);
  const evals = read<Record<string, number | bigint | null>>(
    `SELECT count(*) AS checks,
       sum(lower(coalesce(e.score_label, '')) IN ${PASS_LABELS} OR (e.score_label IS NULL AND e.score_value >= 1)) AS passed
     FROM evaluation_results e JOIN runs r ON r.trace_id = e.trace_id WHERE ${w.sql}`,
    w.params,
  )[0] ?? {};
  const n = (value: number | bigint | null | undefined): number => Number(value ?? 0);
  const experiment = readExperiment(read, side);
  return {
    runs: n(totals.runs),
    successes: n(totals.successes),
    escalations: n(totals.escalations),
    budgetStops: n(totals.budget_stops),
    runsWithViolations: n(totals.with_violations),
    toolCalls: n(totals.tool_calls),
    toolErrors: n(totals.tool_errors),
    durationsMs: perRun.map((row) => Number(row.duration_ms)),
    costsUsd: perRun.filter((row) => row.cost_usd !== null).map((row) => Number(row.cost_usd)),
    evalChecks: experiment ? experiment.trials : n(evals.checks),
    evalPassed: experiment ? experiment.passed : n(evals.passed),
    evalExperiment: experiment?.name ?? null,
  };
}

/** The newest evaluation experiment of this version with its trials, or null (none, or a database without the evals tables). */
function readExperiment(read: ReadQuery, side: VersionSelector): { name: string; trials: number; passed: number } | null {
  try {
    // The key comes from VERSION_KEYS, never from the caller's text.
    const row = read<{ name: string; trials: number | bigint; passed: number | bigint | null }>(
      `SELECT e.name, count(t.passed) AS trials, sum(t.passed != 0) AS passed
       FROM eval_experiments e JOIN eval_trials t ON t.experiment_id = e.id
       WHERE json_extract(e.variant, '$.${side.key}') = ? GROUP BY e.id ORDER BY e.id DESC LIMIT 1`,
      [side.value],
    )[0];
    return row && Number(row.trials) > 0 ? { name: row.name, trials: Number(row.trials), passed: Number(row.passed ?? 0) } : null;
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return null;
    throw error;
  }
}

/** The versions seen on finished runs in [from, to), most runs first, for the viewer's pickers. */
export function readVersionsSeen(read: ReadQuery, range: { from: number; to: number; service?: string }, limit = 50): VersionsSeen {
  const seen = {} as VersionsSeen;
  const params: unknown[] = [BigInt(Math.floor(range.from)) * NS_PER_MS, BigInt(Math.floor(range.to)) * NS_PER_MS];
  if (range.service !== undefined) params.push(range.service);
  for (const key of VERSION_KEYS) {
    const column = VERSION_COLUMN[key];
    const rows = read<{ value: string; runs: number | bigint }>(
      `SELECT ${column} AS value, count(*) AS runs FROM runs
       WHERE outcome != 'running' AND start_ns >= ? AND start_ns < ? ${range.service !== undefined ? 'AND service = ?' : ''} AND ${column} IS NOT NULL
       GROUP BY ${column} ORDER BY runs DESC, value LIMIT ${Math.trunc(limit)}`,
      params,
    );
    seen[key] = rows.map((row) => ({ value: row.value, runs: Number(row.runs) }));
  }
  return seen;
}
