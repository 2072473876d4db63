// GET /api/metrics: dashboard time series read from the per-minute rollups.
import { Hono } from 'hono';
import { METRICS_GROUP_BY, type MetricsQuery, type MetricsResponse } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import { badParameter } from './errors.ts';
import { optionalDuration, optionalEnum, optionalString, optionalTime } from './params.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Rollups are per minute, so no bucket is finer. */
export const MIN_STEP_MS = MINUTE;
/** About this many points when the caller gives no step. */
export const TARGET_POINTS = 100;
/** More buckets than this make a chart no clearer and a query slower: the step grows instead. */
export const MAX_POINTS = 1000;

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);

/** The smallest round step (1m, 5m, 1h, 1d…) giving at most `points` buckets over `spanMs`. */
export function niceStep(spanMs: number, points: number): number {
  const raw = spanMs / points;
  return NICE_STEPS.find((step) => step >= raw) ?? Math.ceil(raw / DAY) * DAY;
}

const KNOWN = new Set(['from', 'to', 'step', 'groupBy', 'service', 'agent']);

export function parseMetricsQuery(params: Record<string, string>, now: number): MetricsQuery {
  for (const name of Object.keys(params)) {
    if (!KNOWN.has(name)) throw badParameter(name, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
  }
  const to = optionalTime('to', params.to) ?? now;
  const from = optionalTime('from', params.from) ?? to - DAY;
  if (from >= to) throw badParameter('from', `must be before to (${from} >= ${to})`);
  const asked = optionalDuration('step', params.step);
  // A step is a whole number of minutes (the rollup grain), and never so small that the answer
  // has more than MAX_POINTS buckets.
  const floor = Math.max(MIN_STEP_MS, niceStep(to - from, MAX_POINTS));
  const step = asked === undefined ? Math.max(MIN_STEP_MS, niceStep(to - from, TARGET_POINTS)) : Math.max(floor, Math.ceil(asked / MINUTE) * MINUTE);
  const groupBy = optionalEnum('groupBy', params.groupBy, METRICS_GROUP_BY);
  const service = optionalString('service', params.service);
  const agent = optionalString('agent', params.agent);
  return {
    from,
    to,
    step,
    ...(groupBy !== undefined && { groupBy }),
    ...(service !== undefined && { service }),
    ...(agent !== undefined && { agent }),
  };
}

export function metricsRoutes(store: Store, clock: () => number = Date.now): Hono {
  const routes = new Hono();
  routes.get('/', (c) => c.json<MetricsResponse>(store.metrics(parseMetricsQuery(c.req.query(), clock()))));
  return routes;
}
