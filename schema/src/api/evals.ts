// What the evaluations API answers (`GET /api/evals`, `GET /api/evals/:experiment`): stored
// experiments with their cases, trials and check results. The collector writes them; the viewer
// reads them.

export type Severity = 'critical' | 'major' | 'minor';
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor'];

export type Suite = 'golden' | 'adversarial';
export const SUITES: readonly Suite[] = ['golden', 'adversarial'];

export type AttackKind = 'direct_injection' | 'indirect_injection' | 'social_engineering' | 'jailbreak' | 'data_exfiltration';
export const ATTACK_KINDS: readonly AttackKind[] = [
  'direct_injection',
  'indirect_injection',
  'social_engineering',
  'jailbreak',
  'data_exfiltration',
];

export type CheckLabel = 'pass' | 'fail' | 'error';

/** The verdict of `runlens eval` (exit 0 pass, 1 regression, 2 critical, 3 inconclusive or error). */
export type EvalVerdict = 'pass' | 'regression' | 'critical' | 'inconclusive' | 'error';

/** One check's result (the collector narrows `type` to the check types it knows). */
export interface EvalCheckResult {
  name: string;
  type: string;
  passed: boolean;
  /** 0–1: the share of the check's items that held (1 or 0 for yes/no checks). */
  score: number;
  label: CheckLabel;
  explanation: string;
  severity: Severity;
  /** The span the result belongs on: the offending tool span, else the root span. */
  spanId: string | null;
}

export interface SuiteRates {
  cases: number;
  passed: number;
  passRate: number | null;
}

/** One row of GET /api/evals. */
export interface ExperimentSummary {
  id: number;
  name: string;
  variant: Record<string, string>;
  datasets: string[];
  baseline: string | null;
  verdict: EvalVerdict;
  exitCode: number;
  cases: number;
  passed: number;
  passRate: number | null;
  suites: Record<Suite, SuiteRates>;
  attackSuccessRate: number | null;
  criticalFailed: number;
  regressions: string[];
  improvements: string[];
  reasons: string[];
  startedAt: number;
  finishedAt: number;
  createdBy: string;
}

export interface StoredTrial {
  trial: number;
  traceId: string | null;
  passed: boolean;
  checks: EvalCheckResult[];
}

export interface StoredCase {
  caseId: string;
  dataset: string;
  suite: Suite;
  severity: Severity;
  attack: AttackKind | null;
  passed: boolean;
  trials: StoredTrial[];
}

/** GET /api/evals/:experiment: the summary and every case. */
export interface ExperimentDetail extends ExperimentSummary {
  results: StoredCase[];
}
