// Alerts on the dashboard metrics: rules from the configuration, evaluated from the rollups,
// notifications to a webhook.
export type { AlertMetric, AlertRule, AlertsConfig } from './rules.ts';
export { ALERT_METRICS, AlertsConfigError, DEFAULT_ALERTS_CONFIG, parseAlertsConfig } from './rules.ts';
export type { Alert, AlertEvaluatorOptions, AlertsStore, AlertState } from './evaluator.ts';
export { AlertEvaluator, alertSummary, dashboardLink } from './evaluator.ts';
export type { AlertNotification } from './webhook.ts';
export { postWebhook } from './webhook.ts';
