// What the release gate compares and what it answers. The HTTP API (`GET /api/gate`), the
// `runlens gate` command and the viewer's compare panel all speak this shape.

/**
 * The verdict vocabulary shared by the release gate (`runlens gate`) and `runlens eval`.
 * `pass`: the candidate is not worse (or only within the allowed tolerance).
 * `regression`: the candidate is worse and the test says it is not noise.
 * `inconclusive`: worse but indistinguishable from noise, or too few runs to tell. Never a pass:
 * a gate that cannot tell must say so instead of letting the release through.
 */
export type Verdict = 'pass' | 'regression' | 'inconclusive';

/** The version dimensions a run carries (design.md "Canonical model"). */
export const VERSION_KEYS = ['prompt', 'policy', 'app', 'model'] as const;
export type VersionKey = (typeof VERSION_KEYS)[number];

/** `prompt=v2`: the runs whose prompt version is `v2`. */
export interface VersionSelector {
  key: VersionKey;
  value: string;
}

export interface GateThresholds {
  /** Fewer finished runs than this on either side → inconclusive, never a pass. */
  minRuns: number;
  /** Significance level of the one-sided tests. */
  alpha: number;
  /** Acceptable drop of the success rate, absolute (0.02 = two points). */
  maxSuccessDrop: number;
  /** Acceptable rise of the tool error rate (per tool call), absolute. */
  maxToolErrorRise: number;
  /** Acceptable rise of the escalation rate, absolute. */
  maxEscalationRise: number;
  /** Acceptable rise of p95 duration, relative (0.1 = 10% slower). */
  maxP95Rise: number;
  /** Acceptable rise of the mean cost per run, relative. */
  maxCostRise: number;
  /** Acceptable rise of the share of runs with a policy violation, absolute. */
  maxViolationRise: number;
  /** Acceptable rise of the share of runs stopped by a budget, absolute. */
  maxBudgetStopRise: number;
}

export interface GateQuery {
  baseline: VersionSelector;
  candidate: VersionSelector;
  /** Epoch ms: runs started in [from, to). */
  from: number;
  to: number;
  service?: string;
  thresholds: GateThresholds;
}

export const GATE_METRICS = [
  'successRate',
  'toolErrorRate',
  'escalationRate',
  'p95DurationMs',
  'costPerRun',
  'policyViolationRate',
  'budgetStopRate',
  'evalPassRate',
] as const;
export type GateMetricName = (typeof GATE_METRICS)[number];

/** `not-measured`: neither side has data for this metric (no tool calls, no known cost); it does not count. */
export type MetricVerdict = Verdict | 'not-measured';

export interface GateMetric {
  metric: GateMetricName;
  label: string;
  better: 'higher' | 'lower';
  unit: 'rate' | 'ms' | 'usd';
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline, in the metric's unit. */
  difference: number | null;
  /** difference / baseline, for durations and costs. */
  relativeChange: number | null;
  pValue: number | null;
  /** What each side's value was computed from: runs, tool calls, runs with a known cost, checks. */
  baselineSamples: number;
  candidateSamples: number;
  verdict: MetricVerdict;
  /** A sentence a reviewer can read: the change, the test and its p-value, or why it is inconclusive. */
  reason: string;
}

export interface GateSide {
  selector: string;
  /** Finished runs compared. */
  runs: number;
}

export interface GateReport {
  baseline: GateSide;
  candidate: GateSide;
  from: number;
  to: number;
  service: string | null;
  verdict: Verdict;
  /** 0 pass, 1 regression, 3 inconclusive: the exit code of `runlens gate`. */
  exitCode: 0 | 1 | 3;
  metrics: GateMetric[];
  /** One line per metric that regressed: which and by how much. */
  regressions: string[];
  /** Whether evaluation results (gen_ai.evaluation.result) of both versions were found. */
  evaluations: 'compared' | 'none';
}

/** Distinct versions seen in a time window, for pickers: `{ prompt: [{ value, runs }], … }`. */
export type VersionsSeen = Record<VersionKey, { value: string; runs: number }[]>;
