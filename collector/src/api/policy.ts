// GET /api/policy?service: the policy in force, for the SDK (`init({ policy: 'remote' })`, with
// its ingest key: only its own identity) and for the viewer's Policy page (the table per identity).
import { Hono } from 'hono';
import { describeIdentity } from '@runlens/schema';
import type { PolicyRow } from '@runlens/schema';
import { callerOf, checkServiceScope, ingestService } from '../policy/caller.ts';
import type { PolicyStore } from '../policy/store.ts';
import type { PolicyResponse } from '../policy/types.ts';
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
  return routes;
}
