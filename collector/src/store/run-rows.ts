// Run ↔ rows of the `runs` table.
import type { Run, RunOutcome } from '@runlens/schema';
import { nsToMs } from '@runlens/schema';

export const RUN_COLUMNS = `id, trace_id, name, service, agent, user_id, session_id, model, prompt_version, policy_version,
  app_version, start_ns, duration_ms, outcome, outcome_reason, llm_calls, tool_calls, tool_errors, input_tokens,
  output_tokens, cached_tokens, cost_usd, escalated, budget_exceeded, policy_violations, span_count`;

/** A `runs` row as read with safeIntegers (every integer is a BigInt). */
export interface RunRow {
  id: bigint;
  trace_id: string;
  name: string | null;
  service: string | null;
  agent: string | null;
  user_id: string | null;
  session_id: string | null;
  model: string | null;
  prompt_version: string | null;
  policy_version: string | null;
  app_version: string | null;
  start_ns: bigint;
  duration_ms: number;
  outcome: string;
  outcome_reason: string | null;
  llm_calls: bigint;
  tool_calls: bigint;
  tool_errors: bigint;
  input_tokens: bigint;
  output_tokens: bigint;
  cached_tokens: bigint;
  cost_usd: number | null;
  escalated: bigint;
  budget_exceeded: bigint;
  policy_violations: bigint;
  span_count: bigint;
}

export function runFromRow(row: RunRow): Run {
  return {
    traceId: row.trace_id,
    name: row.name,
    service: row.service,
    agent: row.agent,
    userId: row.user_id,
    sessionId: row.session_id,
    versions: { model: row.model, prompt: row.prompt_version, policy: row.policy_version, app: row.app_version },
    startTime: nsToMs(row.start_ns),
    durationMs: Number(row.duration_ms),
    outcome: row.outcome as RunOutcome,
    llmCalls: Number(row.llm_calls),
    toolCalls: Number(row.tool_calls),
    toolErrors: Number(row.tool_errors),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: Number(row.cached_tokens),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    escalated: row.escalated === 1n,
    budgetExceeded: row.budget_exceeded === 1n,
    policyViolations: Number(row.policy_violations),
    spanCount: Number(row.span_count),
    outcomeReason: row.outcome_reason,
  };
}

/** The columns a run's derivation sets, in the order of runValues. */
const DERIVED_COLUMNS = `name, service, agent, user_id, session_id, model, prompt_version, policy_version, app_version, start_ns,
  duration_ms, outcome, outcome_reason, llm_calls, tool_calls, tool_errors, input_tokens, output_tokens, cached_tokens, cost_usd,
  escalated, budget_exceeded, policy_violations, span_count`;

/** A new run, whole: runValues then its trace id. */
export const INSERT_RUN_SQL = `INSERT INTO runs (${DERIVED_COLUMNS}, trace_id) VALUES (${Array(25).fill('?').join(', ')})`;

/** A stored run rederived: runValues then its id. */
export const UPDATE_RUN_SQL = `UPDATE runs SET (${DERIVED_COLUMNS}) = (${Array(24).fill('?').join(', ')}) WHERE id = ?`;

/**
 * The derived columns of a run, then `last` (its trace id to insert it, its id to update it);
 * `startNs` is the exact nanosecond start (Run.startTime is rounded).
 */
export function runValues(run: Run, startNs: bigint, last: string | number): unknown[] {
  return [
    run.name,
    run.service,
    run.agent,
    run.userId,
    run.sessionId,
    run.versions.model,
    run.versions.prompt,
    run.versions.policy,
    run.versions.app,
    startNs,
    run.durationMs,
    run.outcome,
    run.outcomeReason ?? null,
    run.llmCalls,
    run.toolCalls,
    run.toolErrors,
    run.inputTokens,
    run.outputTokens,
    run.cachedTokens,
    run.costUsd,
    run.escalated ? 1 : 0,
    run.budgetExceeded ? 1 : 0,
    run.policyViolations,
    run.spanCount,
    last,
  ];
}
