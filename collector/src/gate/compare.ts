// The gate's judgement: each metric of the candidate against the baseline with the tests of
// ../stats, then the worst verdict decides. Pure: samples in, report out.
import { compareDistributions, compareRates, worstVerdict, type DistributionComparison, type RateComparison, type Verdict } from '../stats/index.ts';
import type { SideSamples } from './samples.ts';
import type { GateMetric, GateMetricName, GateQuery, GateReport, GateThresholds, VersionSelector } from '@runlens/schema';

export const DEFAULT_THRESHOLDS: GateThresholds = {
  minRuns: 20,
  alpha: 0.05,
  maxSuccessDrop: 0,
  maxToolErrorRise: 0,
  maxEscalationRise: 0,
  maxP95Rise: 0,
  maxCostRise: 0,
  maxViolationRise: 0,
  maxBudgetStopRise: 0,
};

export const EXIT_CODES: Record<Verdict, 0 | 1 | 3> = { pass: 0, regression: 1, inconclusive: 3 };

export function selectorLabel(selector: VersionSelector): string {
  return `${selector.key}=${selector.value}`;
}

interface RateSpec {
  metric: GateMetricName;
  label: string;
  better: 'higher' | 'lower';
  tolerance: number;
  /** Trials are not runs (tool calls, checks): none on either side means the metric is not measured. */
  optional?: boolean;
  /** Events and trials of one side; trials are runs, or tool calls for the tool error rate. */
  sample: (side: SideSamples) => { events: number; runs: number };
}

function rateMetric(spec: RateSpec, baseline: SideSamples, candidate: SideSamples, t: GateThresholds, minRuns: number): GateMetric {
  const b = spec.sample(baseline);
  const c = spec.sample(candidate);
  const base = { metric: spec.metric, label: spec.label, better: spec.better, unit: 'rate' as const, baselineSamples: b.runs, candidateSamples: c.runs, relativeChange: null };
  if (spec.optional && b.runs === 0 && c.runs === 0) return notMeasured(base);
  const r: RateComparison = compareRates(b, c, { better: spec.better, alpha: t.alpha, minRuns, tolerance: spec.tolerance });
  return { ...base, baseline: r.baselineRate, candidate: r.candidateRate, difference: r.difference, pValue: r.pValue, verdict: r.verdict, reason: r.reason };
}

function notMeasured(base: Omit<GateMetric, 'baseline' | 'candidate' | 'difference' | 'pValue' | 'verdict' | 'reason'>): GateMetric {
  return { ...base, baseline: null, candidate: null, difference: null, pValue: null, verdict: 'not-measured', reason: 'not measured: neither version has data for it' };
}

function distributionMetric(
  metric: GateMetricName,
  label: string,
  unit: 'ms' | 'usd',
  statistic: number | 'mean',
  tolerance: number,
  baseline: number[],
  candidate: number[],
  t: GateThresholds,
): GateMetric {
  const base = { metric, label, better: 'lower' as const, unit, baselineSamples: baseline.length, candidateSamples: candidate.length };
  if (baseline.length === 0 && candidate.length === 0) return notMeasured({ ...base, relativeChange: null });
  const d: DistributionComparison = compareDistributions(baseline, candidate, { better: 'lower', statistic, alpha: t.alpha, minRuns: t.minRuns, tolerance });
  return {
    ...base,
    baseline: d.baseline,
    candidate: d.candidate,
    difference: d.difference,
    relativeChange: d.relativeChange,
    pValue: d.pValue,
    verdict: d.verdict,
    reason: d.reason,
  };
}

/** How much worse, in words: `success rate fell 18 points (92% → 74%)`. */
export function describeRegression(m: GateMetric): string {
  const worse = m.better === 'higher' ? 'fell' : 'rose';
  if (m.unit === 'rate') {
    const pts = Math.abs((m.difference ?? 0) * 100);
    return `${m.label} ${worse} ${round(pts)} points (${round((m.baseline ?? 0) * 100)}% → ${round((m.candidate ?? 0) * 100)}%), p = ${formatPValue(m.pValue)}`;
  }
  const value = (v: number | null) => (v === null ? '—' : m.unit === 'usd' ? `$${round(v, 4)}` : `${round(v)} ms`);
  const relative = m.relativeChange === null ? '' : ` (+${round(m.relativeChange * 100)}%)`;
  return `${m.label} ${worse} from ${value(m.baseline)} to ${value(m.candidate)}${relative}, p = ${formatPValue(m.pValue)}`;
}

function round(value: number, digits = 1): string {
  return String(Number(value.toFixed(digits)));
}

function formatPValue(p: number | null): string {
  if (p === null) return 'n/a';
  return p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(3)));
}

export function compareSides(query: GateQuery, baseline: SideSamples, candidate: SideSamples): GateReport {
  const t = query.thresholds;
  const rates: RateSpec[] = [
    { metric: 'successRate', label: 'success rate', better: 'higher', tolerance: t.maxSuccessDrop, sample: (s) => ({ events: s.successes, runs: s.runs }) },
    { metric: 'toolErrorRate', label: 'tool error rate', better: 'lower', tolerance: t.maxToolErrorRise, optional: true, sample: (s) => ({ events: s.toolErrors, runs: s.toolCalls }) },
    { metric: 'escalationRate', label: 'escalation rate', better: 'lower', tolerance: t.maxEscalationRise, sample: (s) => ({ events: s.escalations, runs: s.runs }) },
  ];
  const later: RateSpec[] = [
    { metric: 'policyViolationRate', label: 'runs with a policy violation', better: 'lower', tolerance: t.maxViolationRise, sample: (s) => ({ events: s.runsWithViolations, runs: s.runs }) },
    { metric: 'budgetStopRate', label: 'budget stops', better: 'lower', tolerance: t.maxBudgetStopRise, sample: (s) => ({ events: s.budgetStops, runs: s.runs }) },
  ];
  const metrics: GateMetric[] = [
    ...rates.map((spec) => rateMetric(spec, baseline, candidate, t, t.minRuns)),
    distributionMetric('p95DurationMs', 'p95 duration', 'ms', 0.95, t.maxP95Rise, baseline.durationsMs, candidate.durationsMs, t),
    distributionMetric('costPerRun', 'cost per run', 'usd', 'mean', t.maxCostRise, baseline.costsUsd, candidate.costsUsd, t),
    ...later.map((spec) => rateMetric(spec, baseline, candidate, t, t.minRuns)),
  ];
  // Evaluation results count only when both versions were evaluated: a hook that stays silent otherwise.
  const evaluated = baseline.evalChecks > 0 && candidate.evalChecks > 0;
  if (evaluated) {
    metrics.push(
      rateMetric(
        { metric: 'evalPassRate', label: baseline.evalExperiment && candidate.evalExperiment ? `evaluation cases passed (${baseline.evalExperiment} vs ${candidate.evalExperiment})` : 'evaluation checks passed', better: 'higher', tolerance: 0, optional: true, sample: (s) => ({ events: s.evalPassed, runs: s.evalChecks }) },
        baseline,
        candidate,
        t,
        t.minRuns,
      ),
    );
  }
  let verdict = worstVerdict(metrics.flatMap((m) => (m.verdict === 'not-measured' ? [] : [m.verdict])));
  // Too few runs overall is inconclusive even when every metric happened to be unmeasurable.
  if (baseline.runs < t.minRuns || candidate.runs < t.minRuns) verdict = worstVerdict([verdict, 'inconclusive']);
  return {
    baseline: { selector: selectorLabel(query.baseline), runs: baseline.runs },
    candidate: { selector: selectorLabel(query.candidate), runs: candidate.runs },
    from: query.from,
    to: query.to,
    service: query.service ?? null,
    verdict,
    exitCode: EXIT_CODES[verdict],
    metrics,
    regressions: metrics.filter((m) => m.verdict === 'regression').map(describeRegression),
    evaluations: evaluated ? 'compared' : 'none',
  };
}
