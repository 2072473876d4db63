// Evaluates the alert rules every `intervalMs` from the dashboard rollups (store.metrics), keeps
// each alert's state in the `alerts` table, and tells the webhook when one fires or resolves.
// A notification the webhook did not take (down, non-2xx) is sent again at the next evaluation.
import type { Alert, AlertState, MetricsQuery, MetricsResponse } from '@runlens/schema';
import type { ControlStore } from '../autonomy/store.ts';
import type { AlertRule, AlertsConfig } from './rules.ts';
import { postWebhook, type AlertNotification } from './webhook.ts';

const MINUTE = 60_000;

export interface AlertsStore extends ControlStore {
  metrics(query: MetricsQuery): MetricsResponse;
}

export type { Alert, AlertState } from '@runlens/schema';

interface AlertRow {
  rule: string;
  grp: string;
  state: AlertState;
  value: number | null;
  since: number | bigint;
  evaluated_at: number | bigint;
  notified: number | bigint;
}

export interface AlertEvaluatorOptions {
  /** The collector's own URL (known once it listens): the base of dashboard links when the config gives none. */
  selfUrl?: string | (() => string);
  clock?: () => number;
  /** Timeout of one webhook request. */
  webhookTimeoutMs?: number;
  log?: (message: string) => void;
}

/** Link to the dashboards showing the rule's metric, over about the rule's window. */
export function dashboardLink(base: string, rule: AlertRule, group: string | null): string {
  const range = rule.windowMs <= 3_600_000 ? '1h' : rule.windowMs <= 6 * 3_600_000 ? '6h' : rule.windowMs <= 86_400_000 ? '24h' : '7d';
  const search = new URLSearchParams({ range });
  if (rule.groupBy) search.set('groupBy', rule.groupBy);
  const service = rule.groupBy === 'service' && group !== null ? group : rule.service;
  if (service) search.set('service', service);
  if (rule.agent) search.set('agent', rule.agent);
  return `${base.replace(/\/$/, '')}/dashboards?${search}`;
}

function formatValue(metric: AlertRule['metric'], value: number | null): string {
  if (value === null) return 'no data';
  if (metric.endsWith('Rate')) return `${Number((value * 100).toFixed(1))}%`;
  if (metric.endsWith('Ms')) return value >= 1000 ? `${Number((value / 1000).toFixed(2))} s` : `${Math.round(value)} ms`;
  if (metric.startsWith('cost')) return `$${Number(value.toFixed(4))}`;
  return String(Number(value.toFixed(2)));
}

function formatWindow(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / MINUTE)}m`;
}

const METRIC_LABEL: Record<AlertRule['metric'], string> = {
  runs: 'runs',
  successRate: 'success rate',
  toolErrorRate: 'tool error rate',
  escalationRate: 'escalation rate',
  p50Ms: 'p50 duration',
  p95Ms: 'p95 duration',
  p99Ms: 'p99 duration',
  tokensPerRun: 'tokens per run',
  costPerRun: 'cost per run',
  costPerSuccess: 'cost per success',
  violationsPerRun: 'policy violations per run',
};

export function alertSummary(rule: AlertRule, group: string | null, state: AlertState, value: number | null): string {
  const scope = group !== null ? ` (${rule.groupBy} ${group})` : rule.service ? ` (service ${rule.service})` : '';
  const verb = state === 'firing' ? `is ${rule.comparison}` : `is back within`;
  return `${rule.name}${scope}: ${METRIC_LABEL[rule.metric]} ${formatValue(rule.metric, value)} ${verb} ${formatValue(rule.metric, rule.threshold)} over ${formatWindow(rule.windowMs)}`;
}

export class AlertEvaluator {
  readonly #store: AlertsStore;
  readonly #config: AlertsConfig;
  readonly #rules: Map<string, AlertRule>;
  readonly #opts: Required<AlertEvaluatorOptions>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #failedBefore = false;

  constructor(store: AlertsStore, config: AlertsConfig, options: AlertEvaluatorOptions = {}) {
    this.#store = store;
    this.#config = config;
    this.#rules = new Map(config.rules.map((rule) => [rule.name, rule]));
    this.#opts = {
      selfUrl: options.selfUrl ?? 'http://localhost:4318',
      clock: options.clock ?? Date.now,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 5_000,
      log: options.log ?? ((message) => console.error(message)),
    };
  }

  /** The configured rules, as validated. */
  get rules(): readonly AlertRule[] {
    return this.#config.rules;
  }

  get #dashboardBase(): string {
    const self = this.#opts.selfUrl;
    return this.#config.dashboardUrl ?? (typeof self === 'function' ? self() : self);
  }

  /** Evaluates now and then every interval, never two evaluations at once; the timer is unref'd. */
  start(): void {
    if (this.#timer || this.#config.rules.length === 0) return;
    const tick = () => {
      if (this.#running) return;
      this.#running = this.evaluate()
        .then(() => (this.#failedBefore = false))
        .catch((error: Error) => {
          // Logged once per streak, so a broken database does not flood the log every minute.
          if (!this.#failedBefore) this.#opts.log(`runlens: alert evaluation failed: ${error.message}`);
          this.#failedBefore = true;
        })
        .finally(() => (this.#running = null));
    };
    this.#timer = setInterval(tick, this.#config.intervalMs);
    this.#timer.unref();
    tick();
  }

  /** Idempotent; waits for an evaluation under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** The alerts as stored, firing first; rows of rules no longer configured are left out. */
  list(): Alert[] {
    const rows = this.#store.query<AlertRow>('SELECT rule, grp, state, value, since, evaluated_at, notified FROM alerts');
    return rows
      .filter((row) => this.#rules.has(row.rule))
      .map((row) => this.#alertFromRow(row))
      .sort((a, b) => (a.state === b.state ? b.since - a.since : a.state === 'firing' ? -1 : 1));
  }

  #alertFromRow(row: AlertRow): Alert {
    const rule = this.#rules.get(row.rule)!;
    const group = row.grp === '' ? null : row.grp;
    return {
      rule: rule.name,
      group,
      metric: rule.metric,
      comparison: rule.comparison,
      threshold: rule.threshold,
      windowMs: rule.windowMs,
      state: row.state,
      value: row.value,
      since: Number(row.since),
      evaluatedAt: Number(row.evaluated_at),
      notified: this.#config.webhookUrl === null ? null : Number(row.notified) === 1,
      dashboardUrl: dashboardLink(this.#dashboardBase, rule, group),
      summary: alertSummary(rule, group, row.state, row.value),
    };
  }

  /** One evaluation of every rule at `now`: state changes committed, then notifications sent. */
  async evaluate(now: number = this.#opts.clock()): Promise<Alert[]> {
    const previous = new Map<string, AlertRow>();
    for (const row of this.#store.query<AlertRow>('SELECT rule, grp, state, value, since, evaluated_at, notified FROM alerts')) {
      previous.set(`${row.rule}\u0000${row.grp}`, row);
    }
    const statements: { sql: string; params: unknown[] }[] = [];
    for (const rule of this.#config.rules) {
      const observed = this.#observe(rule, now);
      // Groups seen before but absent now (no runs in the window) are judged as "no data".
      for (const row of previous.values()) if (row.rule === rule.name && !observed.has(row.grp)) observed.set(row.grp, { value: null, runs: 0 });
      for (const [grp, { value, runs }] of observed) {
        const breaching = value !== null && runs >= rule.minRuns && (rule.comparison === 'above' ? value > rule.threshold : value < rule.threshold);
        const before = previous.get(`${rule.name}\u0000${grp}`);
        const state: AlertState = breaching ? 'firing' : 'resolved';
        if (!before && !breaching) continue;
        const changed = !before || before.state !== state;
        statements.push({
          sql: `INSERT INTO alerts (rule, grp, state, value, since, evaluated_at, notified) VALUES (?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT (rule, grp) DO UPDATE SET state = excluded.state, value = excluded.value, evaluated_at = excluded.evaluated_at
                ${changed ? ', since = excluded.since, notified = 0' : ''}`,
          params: [rule.name, grp, state, value, changed ? now : Number(before!.since), now],
        });
      }
    }
    if (statements.length > 0) await this.#store.execute(statements);
    await this.#notify();
    return this.list();
  }

  /** The rule's value per group over its window, from one bucket of the rollups. */
  #observe(rule: AlertRule, now: number): Map<string, { value: number | null; runs: number }> {
    // A step as long as all time since the epoch puts every minute of [from, to) in one bucket,
    // so percentiles come from the merged histogram of the whole window, not from averages.
    const step = Math.ceil((now + MINUTE) / MINUTE) * MINUTE;
    const response = this.#store.metrics({
      from: now - rule.windowMs,
      to: now,
      step,
      ...(rule.groupBy && { groupBy: rule.groupBy }),
      ...(rule.service && { service: rule.service }),
      ...(rule.agent && { agent: rule.agent }),
    });
    const observed = new Map<string, { value: number | null; runs: number }>();
    for (const series of response.series) {
      let runs = 0;
      let value: number | null = null;
      for (const point of series.points) {
        if (point.runs <= runs) continue;
        runs = point.runs;
        value = point[rule.metric];
      }
      observed.set(series.group ?? '', { value, runs });
    }
    return observed;
  }

  /** Sends every state the webhook has not acknowledged yet; marks the ones it took. */
  async #notify(): Promise<void> {
    const url = this.#config.webhookUrl;
    if (url === null) return;
    const pending = this.list().filter((alert) => alert.notified === false);
    const delivered: { sql: string; params: unknown[] }[] = [];
    for (const alert of pending) {
      const notification: AlertNotification = {
        source: 'runlens',
        status: alert.state,
        rule: alert.rule,
        group: alert.group,
        metric: alert.metric,
        comparison: alert.comparison,
        threshold: alert.threshold,
        window: formatWindow(alert.windowMs),
        value: alert.value,
        startsAt: new Date(alert.since).toISOString(),
        summary: alert.summary,
        dashboardUrl: alert.dashboardUrl,
      };
      const error = await postWebhook(url, notification, this.#opts.webhookTimeoutMs);
      if (error) {
        this.#opts.log(`runlens: alert webhook ${url} did not take "${alert.summary}": ${error}; retrying at the next evaluation`);
        continue;
      }
      delivered.push({
        sql: 'UPDATE alerts SET notified = 1 WHERE rule = ? AND grp = ? AND state = ?',
        params: [alert.rule, alert.group ?? '', alert.state],
      });
    }
    if (delivered.length > 0) await this.#store.execute(delivered);
  }
}
