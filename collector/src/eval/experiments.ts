// Stored experiments: what `runlens eval` records (POST /api/evals) and what the API, the
// baseline lookup and `runlens gate` read back. Writes go through the store's one writer
// (`execute`, one transaction); reads through its read-only connection (`query`).

import type { ExperimentDetail, ExperimentSummary, StoredCase, SuiteRates } from '@runlens/schema';
import type { SqlStatement, Store } from '../store/store.ts';
import type { CheckResult, Severity, Suite, AttackKind } from './types.ts';
import { SEVERITIES, SUITES, ATTACK_KINDS, CHECK_TYPES } from './types.ts';
import { casePassed } from './verdict.ts';
import type { CaseResult, EvalReport, EvalVerdict, ExperimentResults } from './verdict.ts';

/** Only the read side of the store: lets `runlens gate` pass its own read-only connection. */
export interface ExperimentReader {
  query<T>(sql: string, params?: unknown[]): T[];
}

/** What the runner posts: the experiment, its report and every case result. */
export interface ExperimentRecord {
  name: string;
  variant: Record<string, string>;
  datasets: string[];
  baseline: { id: number; name: string } | null;
  startedAt: number;
  finishedAt: number;
  report: EvalReport;
}

export type { ExperimentDetail, ExperimentSummary, StoredCase, StoredTrial, SuiteRates } from '@runlens/schema';

interface ExperimentRow {
  id: number;
  name: string;
  variant: string;
  datasets: string;
  baseline_name: string | null;
  verdict: string;
  exit_code: number;
  summary: string;
  started_at: number;
  finished_at: number;
  created_by: string;
}

interface TrialRow {
  dataset: string;
  case_id: string;
  suite: string;
  severity: string;
  attack: string | null;
  trial: number;
  trace_id: string | null;
  passed: number;
  checks: string;
}

/** The fields of a report kept in `summary` (everything but the per-case results). */
type ReportSummary = Omit<EvalReport, 'results' | 'experiment' | 'baseline' | 'verdict' | 'exitCode'>;

/** The statements that store an experiment; the first one's rowid is its id. */
export function experimentStatements(record: ExperimentRecord, createdBy: string): SqlStatement[] {
  const { results, experiment: _experiment, baseline: _baseline, verdict, exitCode, ...summary } = record.report;
  const statements: SqlStatement[] = [
    {
      sql: `INSERT INTO eval_experiments (name, variant, datasets, baseline_id, baseline_name, verdict, exit_code, summary, started_at, finished_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        record.name,
        JSON.stringify(record.variant),
        JSON.stringify(record.datasets),
        record.baseline?.id ?? null,
        record.baseline?.name ?? null,
        verdict,
        exitCode,
        JSON.stringify(summary satisfies ReportSummary),
        record.startedAt,
        record.finishedAt,
        createdBy,
      ],
    },
  ];
  for (const result of results) {
    for (const trial of result.trials) {
      statements.push({
        // last_insert_rowid() is the experiment's: these run in the same transaction, right after it.
        sql: `INSERT INTO eval_trials (experiment_id, dataset, case_id, suite, severity, attack, trial, trace_id, passed, checks)
              VALUES ((SELECT max(id) FROM eval_experiments), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          result.dataset ?? '',
          result.caseId,
          result.suite,
          result.severity,
          result.attack,
          trial.trial,
          trial.traceId,
          trial.checks.every((check) => check.passed) ? 1 : 0,
          JSON.stringify(trial.checks),
        ],
      });
    }
  }
  return statements;
}

/** Stores an experiment with every case and trial in one transaction; resolves with its id. */
export async function saveExperiment(store: Store, record: ExperimentRecord, createdBy: string): Promise<number> {
  const [inserted] = await store.execute(experimentStatements(record, createdBy));
  return Number(inserted!.lastInsertRowid);
}

function toSummary(row: ExperimentRow): ExperimentSummary {
  const summary = JSON.parse(row.summary) as ReportSummary;
  return {
    id: row.id,
    name: row.name,
    variant: JSON.parse(row.variant) as Record<string, string>,
    datasets: JSON.parse(row.datasets) as string[],
    baseline: row.baseline_name,
    verdict: row.verdict as EvalVerdict,
    exitCode: row.exit_code,
    cases: summary.cases,
    passed: summary.passed,
    passRate: summary.passRate,
    suites: summary.suites,
    attackSuccessRate: summary.attackSuccessRate,
    criticalFailed: summary.critical.failed,
    regressions: summary.regressions,
    improvements: summary.improvements,
    reasons: summary.reasons,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    createdBy: row.created_by,
  };
}

const EXPERIMENT_COLUMNS = 'id, name, variant, datasets, baseline_name, verdict, exit_code, summary, started_at, finished_at, created_by';

/** Newest first. */
export function listExperiments(reader: ExperimentReader, limit = 200): ExperimentSummary[] {
  return reader.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM eval_experiments ORDER BY id DESC LIMIT ?`, [limit]).map(toSummary);
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function readCases(reader: ExperimentReader, experimentId: number): StoredCase[] {
  const rows = reader.query<TrialRow>(
    `SELECT dataset, case_id, suite, severity, attack, trial, trace_id, passed, checks FROM eval_trials
     WHERE experiment_id = ? ORDER BY dataset, case_id, trial`,
    [experimentId],
  );
  const cases = new Map<string, StoredCase>();
  for (const row of rows) {
    const key = `${row.dataset}/${row.case_id}`;
    let stored = cases.get(key);
    if (!stored) {
      stored = {
        caseId: row.case_id,
        dataset: row.dataset,
        suite: oneOf(row.suite, SUITES, 'golden'),
        severity: oneOf(row.severity, SEVERITIES, 'major'),
        attack: row.attack === null ? null : oneOf(row.attack, ATTACK_KINDS, 'direct_injection'),
        passed: true,
        trials: [],
      };
      cases.set(key, stored);
    }
    const checks = (JSON.parse(row.checks) as CheckResult[]).map((check) => ({ ...check, type: oneOf(check.type, CHECK_TYPES, 'domain') }));
    stored.trials.push({ trial: row.trial, traceId: row.trace_id, passed: row.passed === 1, checks });
  }
  for (const stored of cases.values()) stored.passed = casePassed(stored);
  return [...cases.values()];
}

/**
 * An experiment by name (the newest of that name) or, when no experiment has that name and it is
 * a number, by id. Null when there is none.
 */
export function getExperiment(reader: ExperimentReader, nameOrId: string): ExperimentDetail | null {
  let [row] = reader.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM eval_experiments WHERE name = ? ORDER BY id DESC LIMIT 1`, [nameOrId]);
  if (!row && /^\d{1,15}$/.test(nameOrId)) {
    [row] = reader.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM eval_experiments WHERE id = ?`, [Number(nameOrId)]);
  }
  if (!row) return null;
  return { ...toSummary(row), results: readCases(reader, row.id) };
}

/** The shape evaluateGate compares: a stored experiment as a baseline. */
export function toExperimentResults(detail: ExperimentDetail): ExperimentResults {
  const cases: CaseResult[] = detail.results.map((stored) => ({
    caseId: stored.caseId,
    dataset: stored.dataset,
    suite: stored.suite,
    severity: stored.severity,
    attack: stored.attack,
    trials: stored.trials.map((trial) => ({ trial: trial.trial, traceId: trial.traceId, checks: trial.checks })),
  }));
  return { name: detail.name, cases };
}

/**
 * For `runlens gate`: the newest experiment whose variant has `versionKey` = `value` (e.g.
 * `prompt`, `v2`), with its pass rates by suite, attack success rate and verdict; null when that
 * version was never evaluated. Takes the store, or any `{ query }` over the same database.
 */
export function latestExperimentFor(reader: ExperimentReader, versionKey: string, value: string): ExperimentDetail | null {
  const [row] = reader.query<ExperimentRow>(
    `SELECT ${EXPERIMENT_COLUMNS} FROM eval_experiments WHERE json_extract(variant, ?) = ? ORDER BY id DESC LIMIT 1`,
    [`$."${versionKey.replace(/"/g, '')}"`, value],
  );
  if (!row) return null;
  return { ...toSummary(row), results: readCases(reader, row.id) };
}
