// GET /api/alerts: the alerts the evaluator keeps (firing first, then resolved) and the rules
// they come from; the viewer's Alerts page and its badge in the navigation read it.
import { Hono } from 'hono';
import type { AuthVariables } from '../auth/principal.ts';
import type { Alert, AlertRule } from '../alerts/index.ts';
import { callerWithRole } from './autonomy.ts';

export interface AlertsSource {
  readonly rules: readonly AlertRule[];
  list(): Alert[];
}

export interface AlertsResponse {
  firing: number;
  alerts: Alert[];
  rules: readonly AlertRule[];
}

export function alertsRoutes(source: AlertsSource | null): Hono<{ Variables: AuthVariables }> {
  const routes = new Hono<{ Variables: AuthVariables }>();
  routes.get('/', (c) => {
    callerWithRole(c, 'viewer');
    const alerts = source?.list() ?? [];
    return c.json<AlertsResponse>({ firing: alerts.filter((a) => a.state === 'firing').length, alerts, rules: source?.rules ?? [] });
  });
  return routes;
}
