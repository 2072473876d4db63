import { describe, expect, it } from 'vitest';
import { HTTPException } from 'hono/http-exception';
import { niceStep, parseMetricsQuery } from './metrics.ts';
import { parseRunsQuery } from './runs.ts';
import { traceIdParameter } from './params.ts';

function errorOf(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof HTTPException) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected an HTTPException');
}

describe('GET /api/runs parameters', () => {
  it('reads every filter and defaults the page size', () => {
    expect(
      parseRunsQuery({ from: '1000', to: '2000', service: 'svc', agent: 'a', outcome: 'failure', model: 'gpt-4o', version: '1.2', user: 'u', session: 's', q: 'refund', cursor: 'abc' }),
    ).toEqual({ from: 1000, to: 2000, service: 'svc', agent: 'a', outcome: 'failure', model: 'gpt-4o', version: '1.2', user: 'u', session: 's', q: 'refund', cursor: 'abc', limit: 50 });
  });

  it('treats empty values as absent', () => {
    expect(parseRunsQuery({ service: '', q: '  ' })).toEqual({ limit: 50 });
  });

  it('accepts ISO dates as well as epoch milliseconds', () => {
    expect(parseRunsQuery({ from: '2026-01-01T00:00:00Z' }).from).toBe(Date.UTC(2026, 0, 1));
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '5000' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ outcome: 'great' }, 'outcome'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '1e99' }, 'to'],
    [{ from: '2000', to: '1000' }, 'from'],
    [{ colour: 'red' }, 'colour'],
  ])('rejects %j with a 400 naming %s', (params, name) => {
    const error = errorOf(() => parseRunsQuery(params as Record<string, string>));
    expect(error.status).toBe(400);
    expect(error.message.startsWith(`${name}:`)).toBe(true);
  });
});

describe('trace id parameter', () => {
  it('lower-cases a valid id', () => {
    expect(traceIdParameter('5B8AA5A2D2C872E8321CF37308D69DF2')).toBe('5b8aa5a2d2c872e8321cf37308d69df2');
  });

  it.each(['abc', '0'.repeat(32), 'z'.repeat(32), '5b8aa5a2d2c872e8321cf37308d69df2ff'])('rejects %s', (id) => {
    expect(errorOf(() => traceIdParameter(id)).message).toMatch(/^traceId: expected 32 hex characters/);
  });
});

describe('GET /api/metrics parameters', () => {
  const now = Date.UTC(2026, 0, 2);

  it('defaults to the last 24 hours in about 100 round buckets', () => {
    const query = parseMetricsQuery({}, now);
    expect(query.to).toBe(now);
    expect(query.from).toBe(now - 86_400_000);
    expect(query.step).toBe(15 * 60_000);
    expect((query.to - query.from) / query.step).toBeLessThanOrEqual(100);
  });

  it('rounds a step up to whole minutes, the rollup grain', () => {
    expect(parseMetricsQuery({ from: String(now - 3_600_000), step: '90s' }, now).step).toBe(120_000);
    expect(parseMetricsQuery({ from: String(now - 3_600_000), step: '5m' }, now).step).toBe(300_000);
  });

  it('grows a step that would give more than 1000 buckets', () => {
    const query = parseMetricsQuery({ from: String(now - 30 * 86_400_000), step: '1m' }, now);
    expect((query.to - query.from) / query.step).toBeLessThanOrEqual(1000);
  });

  it('validates groupBy, step and the time range', () => {
    expect(parseMetricsQuery({ groupBy: 'version' }, now).groupBy).toBe('version');
    expect(errorOf(() => parseMetricsQuery({ groupBy: 'colour' }, now)).message).toMatch(/^groupBy: expected one of version, model, agent, service/);
    expect(errorOf(() => parseMetricsQuery({ step: '-5' }, now)).message).toMatch(/^step:/);
    expect(errorOf(() => parseMetricsQuery({ from: String(now), to: String(now - 1) }, now)).message).toMatch(/^from: must be before to/);
  });

  it('picks the smallest round step that fits', () => {
    expect(niceStep(3_600_000, 100)).toBe(60_000);
    expect(niceStep(7 * 86_400_000, 100)).toBe(120 * 60_000);
  });
});
