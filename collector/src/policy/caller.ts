// Who is calling the policy API, read from the auth middleware's principal.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Principal } from '../auth/principal.ts';

/** The principal of the request; an app built without the auth middleware runs open (local). */
export function callerOf(c: Context): Principal {
  return (c.get('principal') as Principal | undefined) ?? { kind: 'local' };
}

/** The service an ingest key speaks for; null for users and local callers. */
export function ingestService(principal: Principal): string | null {
  return principal.kind === 'ingest' ? (principal.service ?? principal.identity) : null;
}

/** An ingest key may act only for its own service identity. */
export function checkServiceScope(principal: Principal, service: string): void {
  const own = ingestService(principal);
  if (own !== null && own !== service) throw new HTTPException(403, { message: `this ingest key speaks for ${own}, not ${service}` });
}
