// Alert rules as written in the configuration file's `alerts` section, validated once at start:
//
//   "alerts": {
//     "webhook": "https://hooks.example.com/runlens",
//     "dashboardUrl": "https://runlens.internal.example.com",
//     "interval": "1m",
//     "rules": [
//       { "name": "success rate", "metric": "successRate", "below": 0.9, "window": "15m", "groupBy": "service" },
//       { "metric": "p95Ms", "above": 20000, "window": "15m" },
//       { "metric": "costPerRun", "above": 0.5, "window": "1h", "service": "support-agent" },
//       { "metric": "escalationRate", "above": 0.1, "window": "15m" }
//     ]
//   }
import { ALERT_METRICS, METRICS_GROUP_BY, type AlertMetric, type AlertRule, type MetricsGroupBy, type MetricsPoint } from '@runlens/schema';

export { ALERT_METRICS } from '@runlens/schema';
export type { AlertMetric, AlertRule } from '@runlens/schema';

export interface AlertsConfig {
  rules: AlertRule[];
  /** Firing and resolved notifications are POSTed here as JSON; null sends none. */
  webhookUrl: string | null;
  /** Base URL of the viewer for links in notifications; default the collector's own URL. */
  dashboardUrl: string | null;
  /** How often rules are evaluated. */
  intervalMs: number;
}

export const DEFAULT_ALERTS_CONFIG: AlertsConfig = { rules: [], webhookUrl: null, dashboardUrl: null, intervalMs: 60_000 };

/** Thrown for a bad `alerts` section; config.ts turns it into its ConfigError. */
export class AlertsConfigError extends Error {
  override name = 'AlertsConfigError';
}

function checkUrl(value: unknown, where: string): string {
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href.replace(/\/$/, '');
  } catch {
    // reported below
  }
  throw new AlertsConfigError(`${where}: expected an http(s) URL, got ${JSON.stringify(value)}`);
}

function optionalText(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new AlertsConfigError(`${where}: expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** Parses the `alerts` section; `parseDuration` is config.ts's, so durations read the same everywhere. */
export function parseAlertsConfig(raw: unknown, where: string, parseDuration: (value: unknown, where: string) => number): AlertsConfig {
  if (raw === undefined) return DEFAULT_ALERTS_CONFIG;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AlertsConfigError(`${where}: expected an object { webhook, dashboardUrl, interval, rules }`);
  const r = raw as Record<string, unknown>;
  const known = new Set(['webhook', 'dashboardUrl', 'interval', 'rules']);
  for (const key of Object.keys(r)) if (!known.has(key)) throw new AlertsConfigError(`${where}.${key}: unknown setting (known: ${[...known].join(', ')})`);
  const intervalMs = r.interval === undefined ? DEFAULT_ALERTS_CONFIG.intervalMs : parseDuration(r.interval, `${where}.interval`);
  if (intervalMs < 100) throw new AlertsConfigError(`${where}.interval: at least 100ms`);
  const rules = r.rules ?? [];
  if (!Array.isArray(rules)) throw new AlertsConfigError(`${where}.rules: expected an array of rules`);
  const names = new Set<string>();
  const parsed = rules.map((rule: unknown, i: number): AlertRule => {
    const at = `${where}.rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) throw new AlertsConfigError(`${at}: expected { metric, above | below, window }`);
    const x = rule as Record<string, unknown>;
    const ruleKeys = new Set(['name', 'metric', 'above', 'below', 'window', 'groupBy', 'service', 'agent', 'minRuns']);
    for (const key of Object.keys(x)) if (!ruleKeys.has(key)) throw new AlertsConfigError(`${at}.${key}: unknown setting (known: ${[...ruleKeys].join(', ')})`);
    if (!(ALERT_METRICS as readonly string[]).includes(x.metric as string)) {
      throw new AlertsConfigError(`${at}.metric: expected one of ${ALERT_METRICS.join(', ')}, got ${JSON.stringify(x.metric)}`);
    }
    if ((x.above === undefined) === (x.below === undefined)) throw new AlertsConfigError(`${at}: give exactly one of "above" or "below" (the threshold)`);
    const comparison = x.above !== undefined ? 'above' : 'below';
    const threshold = x[comparison];
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new AlertsConfigError(`${at}.${comparison}: expected a number, got ${JSON.stringify(threshold)}`);
    if (x.groupBy !== undefined && !(METRICS_GROUP_BY as readonly string[]).includes(x.groupBy as string)) {
      throw new AlertsConfigError(`${at}.groupBy: expected one of ${METRICS_GROUP_BY.join(', ')}, got ${JSON.stringify(x.groupBy)}`);
    }
    const minRuns = x.minRuns === undefined ? 1 : x.minRuns;
    if (typeof minRuns !== 'number' || !Number.isInteger(minRuns) || minRuns < 1) throw new AlertsConfigError(`${at}.minRuns: expected a whole number >= 1`);
    const windowMs = parseDuration(x.window ?? '15m', `${at}.window`);
    if (windowMs < 60_000) throw new AlertsConfigError(`${at}.window: at least 1m (the rollups are per minute)`);
    const metric = x.metric as AlertMetric;
    const name = optionalText(x.name, `${at}.name`) ?? `${metric} ${comparison} ${threshold}`;
    if (names.has(name)) throw new AlertsConfigError(`${at}.name: "${name}" is used by another rule; names must be unique`);
    names.add(name);
    const service = optionalText(x.service, `${at}.service`);
    const agent = optionalText(x.agent, `${at}.agent`);
    return {
      name,
      metric,
      comparison,
      threshold,
      windowMs,
      minRuns,
      ...(x.groupBy !== undefined && { groupBy: x.groupBy as MetricsGroupBy }),
      ...(service !== undefined && { service }),
      ...(agent !== undefined && { agent }),
    };
  });
  return {
    rules: parsed,
    webhookUrl: r.webhook === undefined || r.webhook === null ? null : checkUrl(r.webhook, `${where}.webhook`),
    dashboardUrl: r.dashboardUrl === undefined || r.dashboardUrl === null ? null : checkUrl(r.dashboardUrl, `${where}.dashboardUrl`),
    intervalMs,
  };
}
