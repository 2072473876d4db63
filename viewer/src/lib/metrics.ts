// Dashboard data: the metrics API answer reshaped once into uPlot's columnar form
// (`[xs, ...ys]`, x ascending in seconds, null for gaps), and the dashboard's URL parameters.
import type { MetricsGroupBy, MetricsPoint, MetricsResponse } from '@runlens/schema';

export type MetricField = Exclude<keyof MetricsPoint, 't'>;

export const METRIC_FIELDS: readonly MetricField[] = [
  'runs', 'successRate', 'toolErrorRate', 'escalationRate', 'p50Ms', 'p95Ms', 'p99Ms', 'tokensPerRun',
  'costPerRun', 'costPerSuccess', 'violationsPerRun',
];

export interface MetricColumns {
  /** Bucket starts in seconds, ascending: uPlot's x column. */
  xs: number[];
  /** Series labels, one per group ("all runs" when not grouped, "(none)" for a null group). */
  groups: string[];
  /** Raw group values, for the runs filter when a chart point is selected. */
  groupValues: (string | null)[];
  /** For each field, one y column per group, aligned with xs. */
  columns: Record<MetricField, (number | null)[][]>;
}

export function metricsToColumns(response: MetricsResponse): MetricColumns {
  const times = new Set<number>();
  for (const series of response.series) for (const p of series.points) times.add(p.t);
  const tsMs = [...times].sort((a, b) => a - b);
  const slot = new Map(tsMs.map((t, i) => [t, i]));
  const grouped = response.series.length > 1 || (response.series[0]?.group ?? null) !== null;
  const columns = Object.fromEntries(METRIC_FIELDS.map((f) => [f, [] as (number | null)[][]])) as Record<MetricField, (number | null)[][]>;
  for (const series of response.series) {
    const perField = METRIC_FIELDS.map(() => new Array<number | null>(tsMs.length).fill(null));
    for (const point of series.points) {
      const i = slot.get(point.t)!;
      METRIC_FIELDS.forEach((field, f) => {
        perField[f]![i] = point[field] ?? null;
      });
    }
    METRIC_FIELDS.forEach((field, f) => columns[field].push(perField[f]!));
  }
  return {
    xs: tsMs.map((t) => t / 1000),
    groups: grouped ? shortGroupLabels(response.series.map((s) => s.group ?? '(none)')) : response.series.map(() => 'all runs'),
    groupValues: response.series.map((s) => s.group),
    columns,
  };
}

/** `prompt=v2 app=1.4.0` → [['prompt', 'v2'], ['app', '1.4.0']]; a plain label is one pair with no key. */
function labelPairs(label: string): [string, string][] {
  if (!label.includes('=')) return [['', label]];
  return label.split(' ').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? ['', part] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/**
 * Version groups are labelled with every version of a run (`prompt=v2 app=1.4.0`). Parts shared
 * by all groups say nothing in a comparison, so they are left out: `prompt=v1` vs `prompt=v2`.
 */
export function shortGroupLabels(labels: string[]): string[] {
  if (labels.length < 2) return labels;
  const parsed = labels.map(labelPairs);
  const common = new Set(parsed[0]!.map(([k, v]) => `${k}=${v}`).filter((kv) => parsed.every((pairs) => pairs.some(([k, v]) => `${k}=${v}` === kv))));
  return parsed.map((pairs, i) => {
    const kept = pairs.filter(([k, v]) => !common.has(`${k}=${v}`));
    return kept.length === 0 ? labels[i]! : kept.map(([k, v]) => (k ? `${k}=${v}` : v)).join(' ');
  });
}

/**
 * The runs list's `version` filter takes one version, which matches any of a run's versions. For
 * a group label with several, take the one that tells this group apart from the others.
 */
export function versionFilterValue(label: string, allLabels: readonly string[]): string {
  const pairs = labelPairs(label);
  const others = allLabels.filter((l) => l !== label).map(labelPairs);
  const distinctive = pairs.find(([k, v]) => others.some((o) => !o.some(([ok, ov]) => ok === k && ov === v)));
  return (distinctive ?? pairs[0]!)[1];
}

export const DASHBOARD_RANGES = [
  { id: '1h', label: '1 hour', ms: 3_600_000 },
  { id: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { id: '24h', label: '24 hours', ms: 86_400_000 },
  { id: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: '30 days', ms: 30 * 86_400_000 },
] as const;

export const DASHBOARD_STEPS = [
  { id: '1m', label: '1 min', ms: 60_000 },
  { id: '5m', label: '5 min', ms: 5 * 60_000 },
  { id: '15m', label: '15 min', ms: 15 * 60_000 },
  { id: '1h', label: '1 hour', ms: 3_600_000 },
  { id: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { id: '1d', label: '1 day', ms: 86_400_000 },
] as const;

export interface DashboardParams {
  range: (typeof DASHBOARD_RANGES)[number]['id'];
  /** 'auto' picks about 60 buckets over the range. */
  step: (typeof DASHBOARD_STEPS)[number]['id'] | 'auto';
  groupBy: MetricsGroupBy | null;
  service: string;
  agent: string;
}

const GROUP_BYS: readonly string[] = ['version', 'model', 'agent', 'service'];

export function dashboardFromSearch(search: string): DashboardParams {
  const params = new URLSearchParams(search);
  const range = params.get('range');
  const step = params.get('step');
  const groupBy = params.get('groupBy');
  return {
    range: DASHBOARD_RANGES.find((r) => r.id === range)?.id ?? '24h',
    step: DASHBOARD_STEPS.find((s) => s.id === step)?.id ?? 'auto',
    groupBy: groupBy && GROUP_BYS.includes(groupBy) ? (groupBy as MetricsGroupBy) : null,
    service: params.get('service') ?? '',
    agent: params.get('agent') ?? '',
  };
}

export function dashboardToSearch(d: DashboardParams): string {
  const params = new URLSearchParams();
  if (d.range !== '24h') params.set('range', d.range);
  if (d.step !== 'auto') params.set('step', d.step);
  if (d.groupBy) params.set('groupBy', d.groupBy);
  if (d.service) params.set('service', d.service);
  if (d.agent) params.set('agent', d.agent);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Step in ms: the chosen one, or the smallest preset giving at most ~60 buckets over the range. */
export function resolveStep(d: DashboardParams): number {
  if (d.step !== 'auto') return DASHBOARD_STEPS.find((s) => s.id === d.step)!.ms;
  const rangeMs = DASHBOARD_RANGES.find((r) => r.id === d.range)!.ms;
  return DASHBOARD_STEPS.find((s) => rangeMs / s.ms <= 60)?.ms ?? 86_400_000;
}

/** The [from, to) window of the metrics query, aligned to the step so buckets are stable between reloads. */
export function dashboardWindow(d: DashboardParams, now: number = Date.now()): { from: number; to: number; step: number } {
  const step = resolveStep(d);
  const rangeMs = DASHBOARD_RANGES.find((r) => r.id === d.range)!.ms;
  const to = Math.ceil((now + 1) / step) * step;
  return { from: to - Math.ceil(rangeMs / step) * step, to, step };
}

/** Runs filter for the runs behind a chart selection: the time window and, when grouped, the group. */
export function runsLinkForSelection(fromMs: number, toMs: number, groupBy: MetricsGroupBy | null, group: string | null, d?: Pick<DashboardParams, 'service' | 'agent'>, allGroups: readonly (string | null)[] = []): string {
  const params = new URLSearchParams();
  params.set('from', String(Math.floor(fromMs)));
  params.set('to', String(Math.ceil(toMs)));
  if (d?.agent) params.set('agent', d.agent);
  if (d?.service) params.set('service', d.service);
  if (groupBy === 'version' && group) {
    params.set('version', versionFilterValue(group, allGroups.filter((g): g is string => g != null)));
  } else if (groupBy && group) {
    params.set(groupBy, group);
  }
  return `/runs?${params.toString()}`;
}

export interface GroupSummary {
  group: string;
  groupValue: string | null;
  runs: number;
  /** Weighted by runs per bucket. */
  successRate: number | null;
  escalationRate: number | null;
  tokensPerRun: number | null;
  /** Spend over the window; null when no bucket had a known price. */
  cost: number | null;
  /** Some buckets with runs had no known price, so `cost` is a lower bound. */
  costIncomplete: boolean;
  costPerSuccess: number | null;
}

/** One line per series over the whole window, for comparing a canary with the stable version. */
export function summariseGroups(cols: MetricColumns): GroupSummary[] {
  return cols.groups.map((group, g) => {
    const runs = cols.columns.runs[g]!;
    let total = 0;
    const weighted = (field: MetricField) => {
      let sum = 0;
      let weight = 0;
      cols.columns[field][g]!.forEach((v, i) => {
        const n = runs[i] ?? 0;
        if (v != null && n > 0) {
          sum += v * n;
          weight += n;
        }
      });
      return weight > 0 ? { sum, weight } : null;
    };
    for (const n of runs) total += n ?? 0;
    const success = weighted('successRate');
    const escalation = weighted('escalationRate');
    const tokens = weighted('tokensPerRun');
    const cost = weighted('costPerRun');
    const costIncomplete = runs.some((n, i) => (n ?? 0) > 0 && cols.columns.costPerRun[g]![i] == null);
    const successes = success?.sum ?? 0;
    return {
      group,
      groupValue: cols.groupValues[g] ?? null,
      runs: total,
      successRate: success ? success.sum / success.weight : null,
      escalationRate: escalation ? escalation.sum / escalation.weight : null,
      tokensPerRun: tokens ? tokens.sum / tokens.weight : null,
      cost: cost ? cost.sum : null,
      costIncomplete,
      costPerSuccess: cost && successes > 0 && !costIncomplete ? cost.sum / successes : null,
    };
  });
}
