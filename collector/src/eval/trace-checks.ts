// `runlens eval traces`: the checks that need nothing but a trace (no_leak, policy, json_schema,
// domain) run over recent production runs, and each result is recorded on the run it judges.
// The checks file is JSON: an array of checks, or `{ "severity": "major", "checks": [...] }`.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { RUNLENS } from '@runlens/schema';
import type { TraceDetail } from '@runlens/schema';
import { isPlainObject } from './checks/match.ts';
import { parseChecks, parseSeverity } from './checks/parse.ts';
import type { FieldIssue } from './checks/parse.ts';
import { runChecks } from './checks/run.ts';
import { rootSpan } from './checks/trace-view.ts';
import type { CollectorClient, JudgedSpan } from './collector-client.ts';
import { mapConcurrently } from './runner.ts';
import type { Check, CheckResult, CheckType, PolicyReplay, Severity } from './types.ts';

/** Checks that judge a trace alone; the others need a case (its env, expectations or input). */
export const TRACE_CHECK_TYPES: readonly CheckType[] = ['no_leak', 'policy', 'json_schema', 'domain'];

export type ChecksFileResult = { ok: true; checks: Check[]; baseDir: string } | { ok: false; errors: string[] };

export async function loadTraceChecks(path: string): Promise<ChecksFileResult> {
  const full = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(full, 'utf8'));
  } catch (error) {
    return { ok: false, errors: [`${path}: cannot read the checks file: ${(error as Error).message}`] };
  }
  const issues: FieldIssue[] = [];
  let severity: Severity = 'major';
  let list: unknown = raw;
  if (isPlainObject(raw)) {
    if (raw.severity !== undefined) severity = parseSeverity(raw.severity, 'severity', issues) ?? 'major';
    list = raw.checks;
  }
  const checks = parseChecks(list, 'checks', { severity }, issues);
  checks.forEach((check, index) => {
    if (!TRACE_CHECK_TYPES.includes(check.type)) {
      issues.push({ field: `checks[${index}].type`, message: `${check.type} needs a dataset case; over production traces use ${TRACE_CHECK_TYPES.join(', ')}` });
    }
  });
  if (issues.length > 0) return { ok: false, errors: issues.map((issue) => `${path}: ${issue.field}: ${issue.message}`) };
  return { ok: true, checks, baseDir: dirname(full) };
}

export interface TraceChecksOptions {
  collector: CollectorClient;
  checks: Check[];
  baseDir: string;
  from: number;
  to: number;
  service?: string;
  /** At most this many runs (newest first). */
  limit: number;
  policy?: PolicyReplay;
  concurrency?: number;
}

export interface TraceCheckSummary {
  name: string;
  type: string;
  severity: Severity;
  judged: number;
  failed: number;
  errors: number;
  /** Trace ids of the runs that failed it (at most 20). */
  failedRuns: string[];
}

export interface TraceChecksReport {
  runs: number;
  /** Runs of `runlens eval` experiments, left out: they were judged by their own cases. */
  skippedEvalRuns: number;
  checks: TraceCheckSummary[];
  exitCode: 0 | 1 | 2 | 3;
}

function isEvalRun(trace: TraceDetail): boolean {
  return rootSpan(trace)?.attributes[RUNLENS.evalExperiment] !== undefined;
}

export async function runTraceChecks(options: TraceChecksOptions): Promise<TraceChecksReport> {
  const { collector } = options;
  const traceIds: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await collector.listRuns({
      from: String(options.from),
      to: String(options.to),
      limit: String(Math.min(500, options.limit - traceIds.length)),
      ...(options.service ? { service: options.service } : {}),
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.runs) if (run.outcome !== 'running') traceIds.push(run.traceId);
    cursor = page.nextCursor;
  } while (cursor && traceIds.length < options.limit);

  const summaries = new Map<string, TraceCheckSummary>();
  const judged: JudgedSpan[] = [];
  let skippedEvalRuns = 0;
  let runs = 0;
  await mapConcurrently(traceIds, options.concurrency ?? 4, async (traceId) => {
    const trace = await collector.getTrace(traceId);
    if (!trace) return;
    if (isEvalRun(trace)) {
      skippedEvalRuns++;
      return;
    }
    runs++;
    const results: CheckResult[] = await runChecks(options.checks, {
      trace,
      baseDir: options.baseDir,
      ...(options.policy ? { policy: options.policy } : {}),
    });
    for (const result of results) {
      const summary: TraceCheckSummary = summaries.get(result.name) ?? { name: result.name, type: result.type, severity: result.severity, judged: 0, failed: 0, errors: 0, failedRuns: [] };
      summary.judged++;
      if (result.label === 'fail') {
        summary.failed++;
        if (summary.failedRuns.length < 20) summary.failedRuns.push(traceId);
      } else if (result.label === 'error') summary.errors++;
      summaries.set(result.name, summary);
      if (result.spanId) judged.push({ traceId, spanId: result.spanId, result });
    }
  });
  await collector.recordResults(judged, 'runlens-eval');
  const checks = [...summaries.values()];
  const exitCode = checks.some((c) => c.failed > 0 && c.severity === 'critical') ? 2 : checks.some((c) => c.failed > 0) ? 1 : checks.some((c) => c.errors > 0) ? 3 : 0;
  return { runs, skippedEvalRuns, checks, exitCode };
}
