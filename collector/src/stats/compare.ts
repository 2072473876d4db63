// Baseline-versus-candidate comparisons behind `runlens gate` and `runlens eval`. Each one says
// pass, regression or inconclusive, with the numbers and a sentence a reviewer can read.
//
// The rule, the same for rates and distributions:
// 1. fewer than `minRuns` runs on either side → inconclusive ("too few runs"): an exact test is
//    valid at any size, but with a handful of runs it cannot detect anything worth detecting;
// 2. the candidate is not worse than the baseline by more than `tolerance` → pass;
// 3. worse, and a one-sided test rejects "no difference" at `alpha` → regression;
// 4. worse, but the test cannot tell it from noise → inconclusive (never a silent pass).

import { fisherExact } from './fisher.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { mean, quantile } from './quantile.ts';
import type { Better, Verdict } from './verdict.ts';

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_RUNS = 20;

export interface RateSample {
  /** Runs where the event happened (successes, tool errors, escalations, budget stops…). */
  events: number;
  runs: number;
}

export interface CompareRatesOptions {
  /** `higher` for success rate; `lower` for tool error, escalation and budget-stop rates. */
  better: Better;
  alpha?: number;
  minRuns?: number;
  /** Absolute change in the rate that is acceptable (0.02 = two percentage points). Default 0. */
  tolerance?: number;
}

export interface RateComparison {
  verdict: Verdict;
  baselineRate: number | null;
  candidateRate: number | null;
  /** candidateRate − baselineRate. */
  difference: number | null;
  /** One-sided Fisher exact p-value for "the candidate is worse"; null when not computed. */
  pValue: number | null;
  reason: string;
}

export function compareRates(baseline: RateSample, candidate: RateSample, options: CompareRatesOptions): RateComparison {
  const { better, alpha = DEFAULT_ALPHA, minRuns = DEFAULT_MIN_RUNS, tolerance = 0 } = options;
  for (const [side, sample] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (!Number.isInteger(sample.runs) || !Number.isInteger(sample.events) || sample.events < 0 || sample.events > sample.runs) {
      throw new RangeError(`compareRates: ${side} must have 0 ≤ events ≤ runs as integers, got ${sample.events} of ${sample.runs}`);
    }
  }
  const baselineRate = baseline.runs > 0 ? baseline.events / baseline.runs : null;
  const candidateRate = candidate.runs > 0 ? candidate.events / candidate.runs : null;
  const difference = baselineRate !== null && candidateRate !== null ? candidateRate - baselineRate : null;
  const tooFew = tooFewRuns(baseline.runs, candidate.runs, minRuns);
  if (tooFew !== null || difference === null) {
    return { verdict: 'inconclusive', baselineRate, candidateRate, difference, pValue: null, reason: tooFew ?? 'inconclusive: too few runs' };
  }
  const change = `${percent(baselineRate!)} → ${percent(candidateRate!)} (${signedPoints(difference)})`;
  const worseBy = better === 'higher' ? -difference : difference;
  if (worseBy <= tolerance) {
    return { verdict: 'pass', baselineRate, candidateRate, difference, pValue: null, reason: `${change}: not worse${tolerance > 0 ? ` than the tolerance of ${points(tolerance)}` : ''}` };
  }
  // Rows: baseline, candidate; columns: event, no event. "Candidate worse" means the baseline's
  // event share is larger (better = higher) or smaller (better = lower) than the candidate's.
  const { pValue } = fisherExact(
    [
      [baseline.events, baseline.runs - baseline.events],
      [candidate.events, candidate.runs - candidate.events],
    ],
    better === 'higher' ? 'greater' : 'less',
  );
  const evidence = `p = ${formatP(pValue)} (Fisher exact, one-sided)`;
  if (pValue < alpha) {
    return { verdict: 'regression', baselineRate, candidateRate, difference, pValue, reason: `${change}, ${evidence}` };
  }
  return {
    verdict: 'inconclusive',
    baselineRate,
    candidateRate,
    difference,
    pValue,
    reason: `inconclusive: ${change} could be noise, ${evidence} ≥ ${alpha}`,
  };
}

export interface CompareDistributionsOptions {
  /** Default `lower`: durations and costs. */
  better?: Better;
  /** What is reported and judged for "worse": a quantile q in [0, 1] (default 0.95) or the mean. */
  statistic?: number | 'mean';
  alpha?: number;
  minRuns?: number;
  /** Relative change of the statistic that is acceptable (0.1 = 10% worse). Default 0. */
  tolerance?: number;
}

export interface DistributionComparison {
  verdict: Verdict;
  baseline: number | null;
  candidate: number | null;
  /** candidate − baseline, in the values' unit. */
  difference: number | null;
  /** difference / baseline; null when the baseline statistic is 0 or missing. */
  relativeChange: number | null;
  /** One-sided Mann-Whitney U p-value for "the candidate's values tend to be worse". */
  pValue: number | null;
  reason: string;
}

/**
 * Compare durations or costs per run. The statistic (p95 by default) decides whether the
 * candidate looks worse; the Mann-Whitney U test decides whether that is more than noise. U
 * tests a shift of the whole distribution, so a change confined to the tail with the body
 * unchanged may come out inconclusive: the safe side for a gate.
 */
export function compareDistributions(
  baseline: readonly number[],
  candidate: readonly number[],
  options: CompareDistributionsOptions = {},
): DistributionComparison {
  const { better = 'lower', statistic = 0.95, alpha = DEFAULT_ALPHA, minRuns = DEFAULT_MIN_RUNS, tolerance = 0 } = options;
  const summarise = (values: readonly number[]): number | null => (statistic === 'mean' ? mean(values) : quantile(values, statistic));
  const statisticName = statistic === 'mean' ? 'mean' : `p${trimNumber(statistic * 100)}`;
  const base = summarise(baseline);
  const cand = summarise(candidate);
  const difference = base !== null && cand !== null ? cand - base : null;
  const relativeChange = difference !== null && base !== null && base !== 0 ? difference / Math.abs(base) : null;
  const result = (verdict: Verdict, pValue: number | null, reason: string): DistributionComparison => ({
    verdict,
    baseline: base,
    candidate: cand,
    difference,
    relativeChange,
    pValue,
    reason,
  });
  const tooFew = tooFewRuns(baseline.length, candidate.length, minRuns);
  if (tooFew !== null || difference === null) return result('inconclusive', null, tooFew ?? 'inconclusive: too few runs');

  const change = `${statisticName} ${trimNumber(base!)} → ${trimNumber(cand!)}${relativeChange !== null ? ` (${relativeChange >= 0 ? '+' : ''}${(relativeChange * 100).toFixed(1)}%)` : ''}`;
  const worseBy = better === 'lower' ? difference : -difference;
  if (worseBy <= tolerance * Math.abs(base!)) {
    return result('pass', null, `${change}: not worse${tolerance > 0 ? ` than the tolerance of ${(tolerance * 100).toFixed(1)}%` : ''}`);
  }
  const { pValue } = mannWhitneyU(candidate, baseline, better === 'lower' ? 'greater' : 'less');
  const evidence = `p = ${formatP(pValue)} (Mann-Whitney U, one-sided)`;
  if (pValue < alpha) return result('regression', pValue, `${change}, ${evidence}`);
  return result('inconclusive', pValue, `inconclusive: ${change} could be noise, ${evidence} ≥ ${alpha}`);
}

function tooFewRuns(baselineRuns: number, candidateRuns: number, minRuns: number): string | null {
  if (baselineRuns >= minRuns && candidateRuns >= minRuns) return null;
  return `inconclusive: too few runs (baseline ${baselineRuns}, candidate ${candidateRuns}; at least ${minRuns} each are needed)`;
}

function percent(rate: number): string {
  return `${trimNumber(rate * 100)}%`;
}

function points(rate: number): string {
  return `${trimNumber(rate * 100)} points`;
}

function signedPoints(difference: number): string {
  return `${difference >= 0 ? '+' : '−'}${points(Math.abs(difference))}`;
}

function trimNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export function formatP(pValue: number): string {
  return pValue < 0.0001 ? pValue.toExponential(1) : String(Number(pValue.toPrecision(3)));
}
