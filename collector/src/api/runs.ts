// GET /api/runs (filtered, newest first, cursor pages), GET /api/runs/:traceId (`?contents=false`:
// without inputs, outputs and attributes, for the waterfall of a large trace) and
// GET /api/runs/:traceId/spans/:spanId (one span in full, when it is selected).
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { RUN_OUTCOMES, type RunsPage, type RunsQuery, type Span, type TraceDetail } from '@runlens/schema';
import type { TraceSummary } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import { badParameter } from './errors.ts';
import { optionalEnum, optionalInteger, optionalString, optionalTime, traceIdParameter } from './params.ts';

export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 500;

const SPAN_ID = /^[0-9a-fA-F]{16}$/;

const KNOWN = new Set(['from', 'to', 'service', 'agent', 'outcome', 'model', 'version', 'user', 'session', 'q', 'limit', 'cursor']);

/** Reads and validates every parameter of GET /api/runs. */
export function parseRunsQuery(params: Record<string, string>): RunsQuery {
  for (const name of Object.keys(params)) {
    if (!KNOWN.has(name)) throw badParameter(name, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
  }
  const query: RunsQuery = {
    from: optionalTime('from', params.from),
    to: optionalTime('to', params.to),
    service: optionalString('service', params.service),
    agent: optionalString('agent', params.agent),
    outcome: optionalEnum('outcome', params.outcome, RUN_OUTCOMES),
    model: optionalString('model', params.model),
    version: optionalString('version', params.version),
    user: optionalString('user', params.user),
    session: optionalString('session', params.session),
    q: optionalString('q', params.q, 500),
    limit: optionalInteger('limit', params.limit, 1, MAX_RUNS_LIMIT) ?? DEFAULT_RUNS_LIMIT,
    cursor: optionalString('cursor', params.cursor, 200),
  };
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw badParameter('from', `must not be after to (${query.from} > ${query.to})`);
  }
  // Drop absent keys so the store sees only what the caller asked for.
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as RunsQuery;
}

export function runsRoutes(store: Store): Hono {
  const routes = new Hono();

  routes.get('/', (c) => {
    const query = parseRunsQuery(c.req.query());
    let page: RunsPage;
    try {
      page = store.listRuns(query);
    } catch (error) {
      // The store rejects cursors it did not issue and search text FTS5 cannot parse.
      if (error instanceof RangeError) throw new HTTPException(400, { message: error.message });
      throw error;
    }
    return c.json<RunsPage>(page);
  });

  routes.get('/:traceId', (c) => {
    const traceId = traceIdParameter(c.req.param('traceId'));
    const contents = c.req.query('contents');
    if (contents !== undefined && contents !== 'true' && contents !== 'false') throw badParameter('contents', `expected true or false, got ${JSON.stringify(contents.slice(0, 20))}`);
    if (contents === 'false') {
      const summary = store.getTraceSummary(traceId);
      if (!summary) throw new HTTPException(404, { message: `no run with traceId ${traceId}` });
      return c.json<TraceSummary>(summary);
    }
    const trace = store.getTrace(traceId);
    if (!trace) throw new HTTPException(404, { message: `no run with traceId ${traceId}` });
    return c.json<TraceDetail>(trace);
  });

  // Reads of trace contents: the access log records this path like the whole trace (auth/middleware.ts).
  routes.get('/:traceId/spans/:spanId', (c) => {
    const traceId = traceIdParameter(c.req.param('traceId'));
    const spanId = c.req.param('spanId');
    if (!SPAN_ID.test(spanId) || /^0+$/.test(spanId)) throw badParameter('spanId', `expected 16 hex characters, not all zero, got ${JSON.stringify(spanId.slice(0, 64))}`);
    const span = store.getSpan(traceId, spanId.toLowerCase());
    if (!span) throw new HTTPException(404, { message: `no span ${spanId} in a run with traceId ${traceId}` });
    return c.json<Span>(span);
  });

  return routes;
}
