// GET /api/policy?service: the policy in force, for the SDK (`init({ policy: 'remote' })`, with
// its ingest key: only its own identity) and for the viewer's Policy page (the table per identity).
// POST /api/policy { source, fileName } (admin): `runlens policy apply --url`: parse, lint, store.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describeIdentity, lintPolicy, parsePolicy } from '@runlens/schema';
import type { PolicyRow } from '@runlens/schema';
import { principalName, requireRole } from '../auth/principal.ts';
import { callerOf, checkServiceScope, ingestService } from '../policy/caller.ts';
import type { PolicyStore } from '../policy/store.ts';
import type { PolicyResponse } from '@runlens/schema';
import { optionalString } from './params.ts';

export function policyRoutes(policies: PolicyStore): Hono {
  const routes = new Hono();
  routes.get('/', (c) => {
    const principal = callerOf(c);
    const service = optionalString('service', c.req.query('service')) ?? ingestService(principal) ?? undefined;
    if (service !== undefined) checkServiceScope(principal, service);
    const current = policies.current();
    const identities: Record<string, PolicyRow[]> = {};
    if (current) {
      const names = service !== undefined ? [service] : Object.keys(current.policy.identities);
      for (const name of names) identities[name] = describeIdentity(current.policy, name);
    }
    return c.json<PolicyResponse>({
      id: current?.info.id ?? null,
      policy: current?.policy ?? null,
      appliedAt: current?.info.appliedAt ?? null,
      appliedBy: current?.info.appliedBy ?? null,
      identities,
      // An agent needs the policy only; the history is for people.
      versions: principal.kind === 'ingest' ? [] : policies.versions(),
    });
  });
  routes.post('/', async (c) => {
    // Without the auth middleware (tests, embedding) the app runs open, as callerOf does.
    const principal = c.get('principal' as never) === undefined ? callerOf(c) : requireRole(c, 'admin');
    const body = (await c.req.json().catch(() => null)) as { source?: unknown; fileName?: unknown } | null;
    if (!body || typeof body.source !== 'string') throw new HTTPException(400, { message: 'source: the policy file text is required' });
    const fileName = typeof body.fileName === 'string' ? body.fileName.slice(0, 200) : null;
    const parsed = parsePolicy(body.source, fileName ?? undefined);
    if (!parsed.ok) throw new HTTPException(400, { message: parsed.errors.map((e) => e.message).join('\n') });
    const errors = lintPolicy(parsed.policy).filter((f) => f.level === 'error');
    if (errors.length > 0) throw new HTTPException(400, { message: errors.map((f) => `${f.path}: ${f.message}`).join('\n') });
    const info = await policies.apply(parsed.policy, body.source, fileName, principalName(principal));
    return c.json(info, 201);
  });

  return routes;
}
