// GET /healthz: liveness plus the figures an operator looks at first.
import { Hono } from 'hono';
import type { HealthResponse } from '@runlens/schema';
import type { Store } from '../store/store.ts';

export function healthRoutes(store: Store): Hono {
  const routes = new Hono();
  routes.get('/', (c) => {
    const stats = store.stats();
    return c.json<HealthResponse>({ status: 'ok', db: store.path, spans: stats.spans, queueDepth: stats.queueDepth });
  });
  return routes;
}
