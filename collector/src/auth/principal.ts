// Who is calling the collector. The auth middleware (security issue) sets it on every request;
// routes read it with `c.get('principal')` and check it with `requireRole` / `requireIngest`.
import { HTTPException } from 'hono/http-exception';
import type { Context } from 'hono';

export type UserRole = 'viewer' | 'admin';

export type Principal =
  /** A signed-in user (viewer or API token). */
  | { kind: 'user'; name: string; role: UserRole }
  /** An agent workflow sending spans with its ingest key. */
  | { kind: 'ingest'; identity: string; service: string | null }
  /** No keys or users configured and bound to loopback: the collector runs open for local use. */
  | { kind: 'local' };

export type AuthVariables = { principal: Principal };

/** The caller's name for audit records (access log, approvals, policy changes). */
export function principalName(principal: Principal): string {
  if (principal.kind === 'user') return principal.name;
  if (principal.kind === 'ingest') return `ingest:${principal.identity}`;
  return 'local';
}

/** Throws 401/403 unless the caller is a user with at least `role` (local mode passes). */
export function requireRole(c: Context, role: UserRole): Principal {
  const principal = c.get('principal') as Principal | undefined;
  if (!principal) throw new HTTPException(401, { message: 'sign in first: send Authorization: Bearer <user token>' });
  if (principal.kind === 'local') return principal;
  if (principal.kind !== 'user') throw new HTTPException(403, { message: 'an ingest key cannot read or administer; use a user token' });
  if (role === 'admin' && principal.role !== 'admin') throw new HTTPException(403, { message: 'this needs an admin token' });
  return principal;
}
