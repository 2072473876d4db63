// Builds the collector's HTTP app from its parts: OTLP ingest, the read API, the viewer.
// No socket here (server.ts listens), so tests can drive it with `app.request()`.
import { Hono } from 'hono';
import { normaliseSpan } from '@runlens/schema';
import { DEFAULT_CONFIG, type CollectorConfig } from './config.ts';
import type { Store } from './store/store.ts';
import { otlpRoutes } from './ingest/routes.ts';
import { IngestAdmission } from './ingest/admission.ts';
import { handleError, handleNotFound } from './api/errors.ts';
import { healthRoutes } from './api/health.ts';
import { metricsRoutes } from './api/metrics.ts';
import { runsRoutes } from './api/runs.ts';
import { streamRoutes } from './api/stream.ts';
import { mountViewer } from './api/viewer.ts';
import { approvalsRoutes } from './api/approvals.ts';
import { draftsRoutes } from './api/drafts.ts';
import { policyRoutes } from './api/policy.ts';
import { PolicyStore } from './policy/store.ts';
import { accessLogRoutes } from './access-log/routes.ts';
import { adminRoutes } from './auth/admin-routes.ts';
import { datasetLineRoutes, evalsRoutes } from './api/evals.ts';
import { createSecurity, type Security } from './auth/security.ts';
import { alertsRoutes, type AlertsSource } from './api/alerts.ts';
import { autonomyRoutes } from './api/autonomy.ts';
import { gateRoutes } from './gate/routes.ts';

export interface AppOptions {
  store: Store;
  config: Pick<CollectorConfig, 'maxBodyBytes' | 'viewerDir' | 'prices'> & Partial<Pick<CollectorConfig, 'maxQueuedSpans' | 'maxIngestBytesInFlight'>>;
  /** Aborted at shutdown so long-lived responses (the event stream) end. */
  shutdown?: AbortSignal;
  /** Interval of the event stream's heartbeat comments. */
  heartbeatMs?: number;
  /** Auth, redaction and the access log (server.ts makes it from the config); defaults when omitted. */
  security?: Security;
  /** The alert evaluator (server.ts starts it); GET /api/alerts lists none without it. */
  alerts?: AlertsSource | null;
}

export function createApp({ store, config, shutdown, heartbeatMs, security = createSecurity(store), alerts = null }: AppOptions): Hono {
  const app = new Hono();
  // Every span is stamped with its sender, checked against its key's service and redacted first.
  const normalise = security.guardNormalise((span, context) => normaliseSpan(span, context, { prices: config.prices }));

  // Before every route: who is calling, and may they (auth/middleware.ts).
  app.use('*', security.middleware);
  // Exports over the byte budget or with the write queue full get 503 before their body is read.
  const admission = new IngestAdmission({
    queueDepth: () => store.stats().queueDepth,
    maxQueuedSpans: config.maxQueuedSpans ?? DEFAULT_CONFIG.maxQueuedSpans,
    maxBytesInFlight: config.maxIngestBytesInFlight ?? DEFAULT_CONFIG.maxIngestBytesInFlight,
  });
  app.route('/', otlpRoutes({ store, normalise, maxBodyBytes: config.maxBodyBytes, admission }));
  app.route('/api/access-log', accessLogRoutes(security.accessLog));
  app.route('/api/admin', adminRoutes(store));
  app.route('/api/runs', runsRoutes(store));
  app.route('/api/runs', datasetLineRoutes(store));
  app.route('/api/evals', evalsRoutes(store));
  app.route('/api/metrics', metricsRoutes(store));
  app.route('/api/stream', streamRoutes(store, { ...(shutdown && { shutdown }), ...(heartbeatMs !== undefined && { heartbeatMs }) }));
  const policies = new PolicyStore(store);
  app.route('/api/policy', policyRoutes(policies));
  app.route('/api/approvals', approvalsRoutes(policies));
  app.route('/api/drafts', draftsRoutes(policies));
  app.route('/api/gate', gateRoutes(store));
  app.route('/api/alerts', alertsRoutes(alerts));
  app.route('/api/autonomy', autonomyRoutes(store));
  app.route('/healthz', healthRoutes(store, admission));
  mountViewer(app, config.viewerDir);

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
