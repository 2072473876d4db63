// The kill switch over HTTP. GET /api/autonomy (users): every service's level and the latest
// changes. GET /api/autonomy/:service (any principal, the service's own ingest key included: the
// SDK polls it). PUT /api/autonomy/:service { level, reason? } (admins): every change is
// committed together with its access-log row before the answer.
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { principalName, requireRole, type AuthVariables, type Principal, type UserRole } from '../auth/principal.ts';
import {
  AUTONOMY_LEVELS,
  checkServiceName,
  getAutonomy,
  isAutonomy,
  listAutonomy,
  listAutonomyChanges,
  setAutonomy,
  type ControlStore,
} from '../autonomy/index.ts';
import { badParameter } from './errors.ts';

/**
 * The caller, checked for `role`. Until an auth middleware is mounted no principal is set and
 * the collector runs open (loopback, as before authentication existed): the caller is `local`.
 */
export function callerWithRole(c: Context, role: UserRole): Principal {
  if (c.get('principal') === undefined) return { kind: 'local' };
  return requireRole(c, role);
}

function serviceParameter(c: Context): string {
  const service = c.req.param('service') ?? '';
  const problem = checkServiceName(service);
  if (problem) throw badParameter('service', problem);
  return service;
}

export function autonomyRoutes(store: ControlStore): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();

  routes.get('/', (c) => {
    callerWithRole(c, 'viewer');
    return c.json({ levels: AUTONOMY_LEVELS, services: listAutonomy(store), changes: listAutonomyChanges(store) });
  });

  routes.get('/:service', (c) => {
    const service = serviceParameter(c);
    const principal = c.get('principal') as Principal | undefined;
    // An agent reads its own level with its ingest key; users read any.
    if (principal?.kind === 'ingest') {
      if (principal.service !== null && principal.service !== service) {
        throw new HTTPException(403, { message: `this ingest key belongs to service ${principal.service}, not ${service}` });
      }
    } else {
      callerWithRole(c, 'viewer');
    }
    return c.json(getAutonomy(store, service));
  });

  routes.put('/:service', async (c) => {
    const principal = callerWithRole(c, 'admin');
    const service = serviceParameter(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: 'body: expected JSON such as {"level": "read-only", "reason": "refund bug"}' });
    }
    const { level, reason, source } = (body ?? {}) as Record<string, unknown>;
    if (!isAutonomy(level)) throw badParameter('level', `expected one of ${AUTONOMY_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 500)) {
      throw badParameter('reason', 'expected text of at most 500 characters');
    }
    const change = await setAutonomy(store, {
      service,
      level,
      reason: (reason as string | null | undefined) ?? null,
      by: principalName(principal),
      source: source === 'viewer' ? 'viewer' : 'api',
    });
    return c.json({ ...getAutonomy(store, service), previousLevel: change.previousLevel });
  });

  return routes;
}
