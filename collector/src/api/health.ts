// GET /healthz: liveness plus the figures an operator looks at first.
import { Hono } from 'hono';
import type { HealthResponse } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import type { IngestAdmission } from '../ingest/admission.ts';

export function healthRoutes(store: Store, admission?: IngestAdmission): Hono {
  const routes = new Hono();
  routes.get('/', (c) => {
    const stats = store.stats();
    const health: HealthResponse = { status: 'ok', db: store.path, spans: stats.spans, queueDepth: stats.queueDepth };
    // Exports in flight, waiting and refused by admission (ingest/admission.ts), for operators and the bench.
    if (admission) health.ingest = admission.stats();
    return c.json(health);
  });
  return routes;
}
