// GET /api/access-log?limit&cursor&traceId&principal: who read which trace, newest first.
// Admins only (the auth middleware checks the role before this runs).
import { Hono } from 'hono';
import { badParameter } from '../api/errors.ts';
import { optionalInteger, optionalString } from '../api/params.ts';
import type { AccessLog } from './access-log.ts';

const KNOWN = new Set(['limit', 'cursor', 'traceId', 'principal']);

export function accessLogRoutes(accessLog: AccessLog): Hono {
  const routes = new Hono();
  routes.get('/', async (c) => {
    const params = c.req.query();
    for (const name of Object.keys(params)) if (!KNOWN.has(name)) throw badParameter(name, `unknown parameter (known: ${[...KNOWN].join(', ')})`);
    const cursor = optionalString('cursor', params.cursor, 20);
    if (cursor !== undefined && !/^\d+$/.test(cursor)) throw badParameter('cursor', 'use the nextCursor of the previous page');
    const traceId = optionalString('traceId', params.traceId, 64);
    const principal = optionalString('principal', params.principal, 200);
    return c.json(
      await accessLog.list({
        limit: optionalInteger('limit', params.limit, 1, 1000) ?? 100,
        ...(cursor !== undefined && { before: Number(cursor) }),
        ...(traceId !== undefined && { traceId: traceId.toLowerCase() }),
        ...(principal !== undefined && { principal }),
      }),
    );
  });
  return routes;
}
