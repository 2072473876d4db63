// GET /api/gate?baseline=prompt=v1&candidate=prompt=v2&since=24h[&service][&thresholds]: the
// release gate computed next to the data, so only the report crosses the network however many
// runs are compared. GET /api/gate/versions?since=7d[&service]: the versions seen, for pickers.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AuthVariables } from '../auth/principal.ts';
import { callerWithRole } from '../api/autonomy.ts';
import { runGate } from './index.ts';
import { GateParamError, parseGateParams, parseSince } from './params.ts';
import { readVersionsSeen, type ReadQuery } from './samples.ts';

function badRequest(error: unknown): never {
  if (error instanceof GateParamError) throw new HTTPException(400, { message: error.message });
  throw error;
}

export function gateRoutes(store: { query: ReadQuery }, clock: () => number = Date.now): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  const read: ReadQuery = (sql, params) => store.query(sql, params);

  routes.get('/', (c) => {
    callerWithRole(c, 'viewer');
    let query;
    try {
      query = parseGateParams(c.req.query(), clock());
    } catch (error) {
      badRequest(error);
    }
    return c.json(runGate(read, query));
  });

  routes.get('/versions', (c) => {
    callerWithRole(c, 'viewer');
    const params = c.req.query();
    let since: number;
    try {
      since = parseSince('since', params.since ?? '7d');
    } catch (error) {
      badRequest(error);
    }
    const now = clock();
    const service = params.service?.trim();
    return c.json(readVersionsSeen(read, { from: now - since, to: now + 1, ...(service ? { service } : {}) }));
  });

  return routes;
}
