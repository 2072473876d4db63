// Who may call what, decided once per request before any route runs:
// - OTLP ingest (/v1/traces, /v1/logs, Langfuse's path) needs an ingest key; a user token is 403.
// - The read API (/api/*) needs a user token (viewer; /api/access-log and /api/admin need admin);
//   an ingest key is 403 except on the few endpoints an agent's SDK calls (AGENT_ENDPOINTS), which
//   check the key's service themselves. The event stream also takes the token as
//   `?access_token=` because a browser's EventSource cannot send headers.
// - The viewer's files and /healthz are open (the sign-in page has to load).
// Bound to loopback with no keys (for ingest) or no users (for reads), that side runs open as
// principal `local`; `--insecure` does the same on any address.
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { JSON_WIRE, wireForContentType } from '../ingest/wire.ts';
import { LOGS_PATH, TRACE_PATHS } from '../ingest/routes.ts';
import type { Credentials } from './credentials.ts';
import { requestPrincipal } from './ingest-guard.ts';
import { principalName, requireRole, type Principal } from './principal.ts';
import type { RateLimiter } from './rate-limit.ts';

export interface AuthOptions {
  credentials: Credentials;
  /** Bound to loopback only, or told `--insecure`: a side with no credentials runs open. */
  openWhenUnconfigured: boolean;
  /** One bucket per ingest key; null for no limit. Open (local) ingest is not limited. */
  rateLimiter: RateLimiter | null;
  /** Called after a successful read of trace contents (the access log). */
  onContentRead?: (read: { principal: Principal; action: 'trace' | 'search'; traceId: string | null }) => void;
}

const INGEST_PATHS = new Set<string>([...TRACE_PATHS, LOGS_PATH]);
const ADMIN_PREFIXES = ['/api/access-log', '/api/admin'];
/** Reads of one trace's contents: the trace itself, one of its spans, or its line for an evaluation dataset. */
const TRACE_READ = /^\/api\/runs\/([^/]+)(?:\/dataset-line|\/spans\/[^/]+)?$/;
/** What an agent calls with its ingest key: its kill switch, its policy, approvals and drafts. */
const AGENT_ENDPOINTS: readonly [method: string, path: RegExp][] = [
  ['GET', /^\/api\/autonomy\/[^/]+$/],
  ['GET', /^\/api\/policy$/],
  ['POST', /^\/api\/approvals$/],
  ['GET', /^\/api\/approvals\/[^/]+$/],
  ['POST', /^\/api\/drafts$/],
];

function isAgentEndpoint(method: string, path: string): boolean {
  return AGENT_ENDPOINTS.some(([m, p]) => m === method && p.test(path));
}
/** google.rpc.Code for the statuses this middleware answers ingest with. */
const RPC_CODES: Record<number, number> = { 401: 16, 403: 7, 429: 8 };

function bearer(c: Context): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HTTPException(401, { message: 'Authorization must be "Bearer <token>"' });
  return match[1]!;
}

/** An OTLP failure body encoded like the request, as the ingest routes answer. */
function ingestRefusal(c: Context, status: 401 | 403 | 429, message: string, headers: Record<string, string> = {}): Response {
  const wire = wireForContentType(c.req.header('content-type')) ?? JSON_WIRE;
  return c.body(new Uint8Array(wire.encodeStatus(RPC_CODES[status]!, message)), status, { ...headers, 'Content-Type': wire.contentType });
}

export function authMiddleware(options: AuthOptions): MiddlewareHandler {
  const { credentials, openWhenUnconfigured, rateLimiter, onContentRead } = options;

  const ingest: MiddlewareHandler = async (c, next) => {
    const token = bearer(c);
    let principal: Principal;
    if (token === null) {
      if (!openWhenUnconfigured || credentials.presence().keys) {
        return ingestRefusal(c, 401, 'this collector needs an ingest key: send Authorization: Bearer <key> (OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>"; create one with `runlens keys create <identity>`)');
      }
      principal = { kind: 'local' };
    } else {
      const auth = credentials.authenticate(token);
      if (!auth.ok) return ingestRefusal(c, 401, `${auth.reason}; spans were not accepted`);
      principal = auth.principal;
      if (principal.kind === 'user') return ingestRefusal(c, 403, 'a user token cannot send spans; use an ingest key (`runlens keys create <identity>`)');
    }
    if (rateLimiter && principal.kind === 'ingest') {
      const wait = rateLimiter.take(principalName(principal));
      if (wait > 0) return ingestRefusal(c, 429, `rate limit of ${principalName(principal)} exceeded; retry in ${wait}s`, { 'Retry-After': String(wait) });
    }
    c.set('principal', principal);
    return requestPrincipal.run(principal, () => next());
  };

  const api: MiddlewareHandler = async (c, next) => {
    let token = bearer(c);
    // EventSource cannot send headers: the stream alone takes the token in its URL.
    if (token === null && c.req.path === '/api/stream') token = c.req.query('access_token') ?? null;
    let principal: Principal;
    if (token === null) {
      if (!openWhenUnconfigured || credentials.presence().users) {
        throw new HTTPException(401, { message: 'sign in first: send Authorization: Bearer <user token> (create one with `runlens users create <name> --role viewer`)' });
      }
      principal = { kind: 'local' };
    } else {
      const auth = credentials.authenticate(token);
      if (!auth.ok) throw new HTTPException(401, { message: auth.reason });
      principal = auth.principal;
    }
    c.set('principal', principal);
    if (principal.kind !== 'ingest' || !isAgentEndpoint(c.req.method, c.req.path)) {
      requireRole(c, ADMIN_PREFIXES.some((p) => c.req.path === p || c.req.path.startsWith(`${p}/`)) ? 'admin' : 'viewer');
    }
    await next();
    if (!onContentRead || c.req.method !== 'GET' || c.res.status !== 200) return;
    const trace = TRACE_READ.exec(c.req.path);
    if (trace) onContentRead({ principal, action: 'trace', traceId: decodeURIComponent(trace[1]!).toLowerCase() });
    else if (c.req.path === '/api/runs' && c.req.query('q')) {
      // A search reveals which runs' contents match: one entry per run it returned. The search
      // text itself is not kept (it may be the very secret or personal data being looked for).
      const page = (await c.res.clone().json()) as { runs?: { traceId?: unknown }[] };
      const found = (page.runs ?? []).map((r) => r.traceId).filter((id): id is string => typeof id === 'string');
      if (found.length === 0) onContentRead({ principal, action: 'search', traceId: null });
      for (const traceId of found) onContentRead({ principal, action: 'search', traceId });
    }
  };

  return async (c, next) => {
    // Preflights carry no credentials; the ingest routes answer them (CORS).
    if (c.req.method === 'OPTIONS') return next();
    if (INGEST_PATHS.has(c.req.path)) return ingest(c, next);
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return api(c, next);
    return next();
  };
}
