import { describe, expect, it } from 'vitest';
import type { Run } from '@runlens/schema';
import { DEFAULT_FILTERS, filtersFromSearch, filtersToQuery, filtersToSearch, hasActiveFilters, runMatchesFilters, sortRuns, upsertRun } from './runFilters.ts';

function run(traceId: string, extra: Partial<Run> = {}): Run {
  return {
    traceId, name: 'invoke_agent support', service: 'svc', agent: 'support', userId: 'u1', sessionId: 's1',
    versions: { model: 'gpt-4o', prompt: 'v1', policy: null, app: '1.0.0' }, startTime: 1000, durationMs: 100,
    outcome: 'success', llmCalls: 1, toolCalls: 1, toolErrors: 0, inputTokens: 10, outputTokens: 5, cachedTokens: 0,
    costUsd: 0.01, escalated: false, budgetExceeded: false, policyViolations: 0, spanCount: 3, ...extra,
  };
}

describe('run filters in the URL', () => {
  it('round-trip through the query string and leave defaults out', () => {
    const search = '?range=1h&outcome=failure&agent=support&version=v2&q=refund&sort=cost&dir=asc';
    const f = filtersFromSearch(search);
    expect(f).toMatchObject({ range: '1h', outcome: 'failure', agent: 'support', version: 'v2', q: 'refund', sort: 'cost', desc: false });
    expect(filtersToSearch(f)).toBe(search);
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe('');
    expect(hasActiveFilters(DEFAULT_FILTERS)).toBe(false);
    expect(hasActiveFilters(f)).toBe(true);
  });

  it('treat from/to as a custom range and ignore unknown values', () => {
    const f = filtersFromSearch('from=100&to=200&range=1h&outcome=bogus&sort=nope');
    expect(f).toMatchObject({ range: 'custom', from: 100, to: 200, outcome: null, sort: 'start', desc: true });
    expect(filtersToSearch(f)).toBe('?from=100&to=200');
  });

  it('resolve a relative range against now for the API', () => {
    expect(filtersToQuery(filtersFromSearch('range=1h&user=u7'), 10_000_000)).toEqual({ from: 10_000_000 - 3_600_000, user: 'u7' });
    expect(filtersToQuery(filtersFromSearch('from=5&to=9'))).toEqual({ from: 5, to: 9 });
  });
});

describe('live runs', () => {
  it('are shown only when they match the filters', () => {
    expect(runMatchesFilters(run('a'), filtersFromSearch(''))).toBe(true);
    expect(runMatchesFilters(run('a'), filtersFromSearch('outcome=failure'))).toBe(false);
    expect(runMatchesFilters(run('a'), filtersFromSearch('version=v1'))).toBe(true);
    expect(runMatchesFilters(run('a'), filtersFromSearch('version=1.0.0'))).toBe(true);
    expect(runMatchesFilters(run('a'), filtersFromSearch('version=v2'))).toBe(false);
    expect(runMatchesFilters(run('a', { startTime: 0 }), filtersFromSearch('range=15m'), 3_600_000)).toBe(false);
    expect(runMatchesFilters(run('a'), filtersFromSearch('q=refund'))).toBe(false);
  });

  it('replace the row with the same trace id or go on top', () => {
    const list = [run('a'), run('b')];
    const updated = upsertRun(list, run('b', { outcome: 'failure' }), true);
    expect(updated.map((r) => [r.traceId, r.outcome])).toEqual([['a', 'success'], ['b', 'failure']]);
    expect(upsertRun(list, run('c'), true).map((r) => r.traceId)).toEqual(['c', 'a', 'b']);
    expect(upsertRun(list, run('c'), false)).toBe(list);
  });
});

describe('sortRuns', () => {
  it('sorts by a column and puts unknown values last in both directions', () => {
    const runs = [run('cheap', { costUsd: 0.01 }), run('unknown', { costUsd: null }), run('dear', { costUsd: 1 })];
    expect(sortRuns(runs, 'cost', true).map((r) => r.traceId)).toEqual(['dear', 'cheap', 'unknown']);
    expect(sortRuns(runs, 'cost', false).map((r) => r.traceId)).toEqual(['cheap', 'dear', 'unknown']);
  });
});
