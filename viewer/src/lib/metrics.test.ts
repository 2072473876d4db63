import { describe, expect, it } from 'vitest';
import type { MetricsPoint } from '@runlens/schema';
import { dashboardFromSearch, dashboardToSearch, dashboardWindow, metricsToColumns, resolveStep, runsLinkForSelection, shortGroupLabels, summariseGroups, versionFilterValue } from './metrics.ts';

function point(t: number, runs: number, successRate: number | null): MetricsPoint {
  return {
    t, runs, successRate, toolErrorRate: 0, escalationRate: 0, p50Ms: 100, p95Ms: 200, p99Ms: 300, tokensPerRun: 50,
    costPerRun: null, costPerSuccess: null, violationsPerRun: 0,
  };
}

describe('metricsToColumns', () => {
  it('aligns every group on one ascending x column in seconds, with null gaps', () => {
    const cols = metricsToColumns({
      step: 60_000,
      series: [
        { group: 'v1', points: [point(120_000, 3, 1), point(60_000, 2, 0.5)] },
        { group: 'v2', points: [point(180_000, 1, 0)] },
      ],
    });
    expect(cols.xs).toEqual([60, 120, 180]);
    expect(cols.groups).toEqual(['v1', 'v2']);
    expect(cols.columns.runs).toEqual([[2, 3, null], [null, null, 1]]);
    expect(cols.columns.successRate).toEqual([[0.5, 1, null], [null, null, 0]]);
    expect(cols.columns.costPerRun).toEqual([[null, null, null], [null, null, null]]);
  });

  it('labels the single ungrouped series "all runs"', () => {
    const cols = metricsToColumns({ step: 60_000, series: [{ group: null, points: [point(0, 1, 1)] }] });
    expect(cols.groups).toEqual(['all runs']);
    expect(cols.groupValues).toEqual([null]);
  });

  it('handles an empty answer', () => {
    const cols = metricsToColumns({ step: 60_000, series: [] });
    expect(cols.xs).toEqual([]);
    expect(cols.groups).toEqual([]);
  });
});

describe('dashboard parameters', () => {
  it('round-trip through the URL with defaults left out', () => {
    const d = dashboardFromSearch('?range=7d&step=1h&groupBy=version');
    expect(d).toEqual({ range: '7d', step: '1h', groupBy: 'version', service: '', agent: '' });
    expect(dashboardToSearch(d)).toBe('?range=7d&step=1h&groupBy=version');
    expect(dashboardToSearch(dashboardFromSearch('groupBy=nope&range=bogus'))).toBe('');
  });

  it('picks an automatic step giving at most about 60 buckets', () => {
    expect(resolveStep(dashboardFromSearch('range=1h'))).toBe(60_000);
    expect(resolveStep(dashboardFromSearch('range=24h'))).toBe(3_600_000);
    expect(resolveStep(dashboardFromSearch('range=30d'))).toBe(86_400_000);
  });

  it('aligns the query window to the step', () => {
    const w = dashboardWindow(dashboardFromSearch('range=1h&step=5m'), 1_000_000);
    expect(w.step).toBe(300_000);
    expect(w.to % 300_000).toBe(0);
    expect(w.to).toBeGreaterThan(1_000_000);
    expect(w.to - w.from).toBe(3_600_000);
  });

  it('links a chart selection to the runs in that window and group', () => {
    expect(runsLinkForSelection(1000.4, 2000.2, 'version', 'v2')).toBe('/runs?from=1000&to=2001&version=v2');
    expect(runsLinkForSelection(0, 10, null, null, { service: 's', agent: '' })).toBe('/runs?from=0&to=10&service=s');
  });
});

describe('summariseGroups', () => {
  it('weights rates by runs per bucket and totals the spend', () => {
    const cols = metricsToColumns({
      step: 60_000,
      series: [
        { group: 'v1', points: [{ ...point(0, 3, 1), costPerRun: 0.02 }, { ...point(60_000, 1, 0), costPerRun: 0.04 }] },
        { group: 'v2', points: [{ ...point(0, 2, 0.5), costPerRun: null }] },
      ],
    });
    const [v1, v2] = summariseGroups(cols);
    expect(v1).toMatchObject({ group: 'v1', runs: 4, successRate: 0.75, costIncomplete: false });
    expect(v1!.cost).toBeCloseTo(0.1);
    expect(v1!.costPerSuccess).toBeCloseTo(0.1 / 3);
    expect(v2).toMatchObject({ group: 'v2', runs: 2, successRate: 0.5, cost: null, costIncomplete: true, costPerSuccess: null });
  });
});

describe('version groups', () => {
  it('drop the versions every group shares from their labels', () => {
    expect(shortGroupLabels(['prompt=v1 app=1.4.0', 'prompt=v2 app=1.4.0'])).toEqual(['prompt=v1', 'prompt=v2']);
    expect(shortGroupLabels(['prompt=v1 app=1.4.0', 'prompt=v1 app=2.0.0', 'prompt=v2 app=1.4.0'])).toEqual(['prompt=v1 app=1.4.0', 'prompt=v1 app=2.0.0', 'prompt=v2 app=1.4.0']);
    expect(shortGroupLabels(['prompt=v1'])).toEqual(['prompt=v1']);
    expect(shortGroupLabels(['gpt-4o', 'gpt-4o-mini'])).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('filter the runs by the version that sets a group apart', () => {
    const all = ['prompt=v1 app=1.4.0', 'prompt=v2 app=1.4.0'];
    expect(versionFilterValue('prompt=v2 app=1.4.0', all)).toBe('v2');
    expect(versionFilterValue('prompt=v1 app=2.0.0', ['prompt=v1 app=1.4.0', 'prompt=v1 app=2.0.0'])).toBe('2.0.0');
    expect(runsLinkForSelection(0, 10, 'version', 'prompt=v2 app=1.4.0', undefined, all)).toBe('/runs?from=0&to=10&version=v2');
  });
});
