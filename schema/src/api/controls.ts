// What the alerts and kill-switch API answers (`GET /api/alerts`, `/api/autonomy`), shared by
// the collector and the viewer.
import type { MetricsGroupBy, MetricsPoint } from '../types.ts';
import type { Autonomy } from '../policy/index.ts';

/** The fields of a dashboard point a rule can watch. */
export const ALERT_METRICS = [
  'runs',
  'successRate',
  'toolErrorRate',
  'escalationRate',
  'p50Ms',
  'p95Ms',
  'p99Ms',
  'tokensPerRun',
  'costPerRun',
  'costPerSuccess',
  'violationsPerRun',
] as const satisfies readonly (keyof MetricsPoint)[];
export type AlertMetric = (typeof ALERT_METRICS)[number];

export interface AlertRule {
  /** Unique; names the alert in notifications and in the viewer. */
  name: string;
  metric: AlertMetric;
  /** Fires while the value is above (or below) the threshold. */
  comparison: 'above' | 'below';
  threshold: number;
  /** The value is computed over runs started in the last `windowMs`. */
  windowMs: number;
  /** One alert per group (per service, version…) instead of one over everything. */
  groupBy?: MetricsGroupBy;
  service?: string;
  agent?: string;
  /** Fewer finished runs than this in the window → no judgement (the alert does not fire). */
  minRuns: number;
}

export type AlertState = 'firing' | 'resolved';

/** One alert: a rule, for one group when the rule is grouped. What GET /api/alerts lists. */
export interface Alert {
  rule: string;
  /** The group's value (a service, a version label…); null for an ungrouped rule. */
  group: string | null;
  metric: AlertMetric;
  comparison: 'above' | 'below';
  threshold: number;
  windowMs: number;
  state: AlertState;
  /** The last value computed; null when the window had too few runs. */
  value: number | null;
  /** Epoch ms the current state began. */
  since: number;
  evaluatedAt: number;
  /** Whether the webhook acknowledged the notification of the current state; null with no webhook configured. */
  notified: boolean | null;
  dashboardUrl: string;
  summary: string;
}

export interface AutonomyState {
  service: string;
  level: Autonomy;
  reason: string | null;
  /** Who set it; null when nobody has (the default level). */
  changedBy: string | null;
  /** Epoch ms; null when never changed. */
  changedAt: number | null;
}

export interface AutonomyChange {
  service: string;
  previousLevel: Autonomy;
  level: Autonomy;
  reason: string | null;
  changedBy: string;
  changedAt: number;
  source: string;
}

