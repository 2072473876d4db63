import { describe, expect, it } from 'vitest';
import { compareSides, DEFAULT_THRESHOLDS } from './compare.ts';
import { GateParamError, parseGateParams, parseThresholds } from './params.ts';
import type { SideSamples } from './samples.ts';
import type { GateQuery } from '@runlens/schema';

const QUERY: GateQuery = {
  baseline: { key: 'prompt', value: 'v1' },
  candidate: { key: 'prompt', value: 'v2' },
  from: 0,
  to: 3_600_000,
  thresholds: DEFAULT_THRESHOLDS,
};

function side(runs: number, overrides: Partial<SideSamples> = {}): SideSamples {
  return {
    runs,
    successes: runs,
    escalations: 0,
    budgetStops: 0,
    runsWithViolations: 0,
    toolCalls: runs,
    toolErrors: 0,
    durationsMs: Array.from({ length: runs }, (_, i) => 1000 + (i % 10) * 100),
    costsUsd: Array.from({ length: runs }, () => 0.02),
    evalChecks: 0,
    evalPassed: 0,
    evalExperiment: null,
    ...overrides,
  };
}

const metric = (report: ReturnType<typeof compareSides>, name: string) => report.metrics.find((m) => m.metric === name)!;

describe('compareSides', () => {
  it('passes two versions that behave the same', () => {
    const report = compareSides(QUERY, side(50), side(50));
    expect(report.verdict).toBe('pass');
    expect(report.exitCode).toBe(0);
    expect(report.regressions).toEqual([]);
  });

  it('names a slower p95 as the regression with its relative change', () => {
    const slow = side(60, { durationsMs: Array.from({ length: 60 }, (_, i) => 3000 + (i % 10) * 300) });
    const report = compareSides(QUERY, side(60), slow);
    expect(report.verdict).toBe('regression');
    expect(metric(report, 'p95DurationMs').verdict).toBe('regression');
    expect(report.regressions).toEqual([expect.stringMatching(/^p95 duration rose from 1900 ms to 5700 ms \(\+200%\), p = /)]);
  });

  it('is inconclusive, never a pass, with too few runs', () => {
    const report = compareSides(QUERY, side(5), side(5));
    expect(report.verdict).toBe('inconclusive');
    expect(report.exitCode).toBe(3);
    expect(metric(report, 'successRate').reason).toContain('too few runs');
  });

  it('leaves out metrics neither side measured, such as tool errors without tool calls', () => {
    const report = compareSides(QUERY, side(40, { toolCalls: 0 }), side(40, { toolCalls: 0 }));
    expect(metric(report, 'toolErrorRate').verdict).toBe('not-measured');
    expect(report.verdict).toBe('pass');
  });

  it('compares evaluation results only when both versions have them', () => {
    expect(compareSides(QUERY, side(40, { evalChecks: 40, evalPassed: 40 }), side(40)).evaluations).toBe('none');
    const report = compareSides(QUERY, side(40, { evalChecks: 100, evalPassed: 98 }), side(40, { evalChecks: 100, evalPassed: 70 }));
    expect(report.evaluations).toBe('compared');
    expect(metric(report, 'evalPassRate').verdict).toBe('regression');
  });
});

describe('gate parameters', () => {
  it('reads selectors, the window and thresholds given as shares or percentages', () => {
    const query = parseGateParams({ baseline: 'model=gpt-4o', candidate: 'model=gpt-4.1', since: '2h', maxSuccessDrop: '2%', minRuns: '50' }, 10_000_000);
    expect(query.baseline).toEqual({ key: 'model', value: 'gpt-4o' });
    expect(query.from).toBe(10_000_000 - 7_200_000);
    expect(query.thresholds).toMatchObject({ maxSuccessDrop: 0.02, minRuns: 50, alpha: 0.05 });
    expect(parseThresholds({ 'max-p95-rise': '0.1' }, 'flag').maxP95Rise).toBe(0.1);
  });

  it('refuses an unknown version key and an unknown parameter by name', () => {
    expect(() => parseGateParams({ baseline: 'colour=red', candidate: 'prompt=v2' }, 0)).toThrow(GateParamError);
    expect(() => parseGateParams({ baseline: 'prompt=v1', candidate: 'prompt=v2', tolerance: '1' }, 0)).toThrow(/tolerance: unknown parameter/);
    expect(() => parseThresholds({ 'min-runs': '0' }, 'flag')).toThrow(/--min-runs: expected a whole number/);
  });
});
