// The collector's security parts put together once at start: credentials, the auth middleware,
// the ingest guard (identity, service restriction, redaction), the rate limiter and the access
// log. app.ts mounts them; server.ts checks the exposure before listening and closes them.
import type { MiddlewareHandler } from 'hono';
import { compileRedactionRules, type RedactionConfig } from '@runlens/schema';
import { AccessLog } from '../access-log/access-log.ts';
import type { CollectorConfig } from '../config.ts';
import type { Store } from '../store/store.ts';
import { Credentials } from './credentials.ts';
import { guardNormalise, type Normalise } from './ingest-guard.ts';
import { authMiddleware } from './middleware.ts';
import { principalName } from './principal.ts';
import { RateLimiter } from './rate-limit.ts';

export type SecurityConfig = Pick<CollectorConfig, 'host' | 'insecure' | 'redaction' | 'rateLimit' | 'accessLog'>;

export const SECURITY_DEFAULTS: SecurityConfig = {
  host: '127.0.0.1',
  insecure: false,
  redaction: true,
  rateLimit: { perSecond: 100, burst: 200 },
  accessLog: { maxAgeMs: 365 * 86_400_000 },
};

export interface Security {
  credentials: Credentials;
  accessLog: AccessLog;
  middleware: MiddlewareHandler;
  guardNormalise(normalise: Normalise): Normalise;
  /** Null when the collector may start; else the one line saying why not and what to do. */
  exposureProblem(): string | null;
  /** A warning to print at start (running open on a network address), or null. */
  exposureWarning(): string | null;
  close(): Promise<void>;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

export function createSecurity(store: Store, options: Partial<SecurityConfig> = {}): Security {
  const config = { ...SECURITY_DEFAULTS, ...options } satisfies SecurityConfig;
  const loopback = isLoopback(config.host);
  const credentials = new Credentials(store);
  const accessLog = new AccessLog(store, { maxAgeMs: config.accessLog.maxAgeMs });
  const rules = config.redaction === false ? null : compileRedactionRules(config.redaction as RedactionConfig | true);
  const middleware = authMiddleware({
    credentials,
    openWhenUnconfigured: loopback || config.insecure,
    rateLimiter: config.rateLimit ? new RateLimiter(config.rateLimit) : null,
    onContentRead: ({ principal, action, traceId }) => accessLog.record({ principal: principalName(principal), action, traceId, query: null }),
  });


  return {
    credentials,
    accessLog,
    middleware,
    guardNormalise: (normalise) => guardNormalise(normalise, rules),
    exposureProblem() {
      if (loopback || config.insecure) return null;
      const { keys, users } = credentials.presence();
      if (keys || users) return null;
      return (
        `refusing to listen on ${config.host} with no ingest keys or users: anyone who reaches it could send and read traces. ` +
        'Create them with `runlens keys create <identity>` and `runlens users create <name> --role admin`, or pass --insecure to run open.'
      );
    },
    exposureWarning() {
      if (loopback || !config.insecure) return null;
      const { keys, users } = credentials.presence();
      if (keys && users) return null;
      return `runlens: --insecure: listening on ${config.host} with ${keys ? 'no users (reads are open)' : users ? 'no ingest keys (ingest is open)' : 'no keys or users (ingest and reads are open)'}`;
    },
    close: () => accessLog.close(),
  };
}
