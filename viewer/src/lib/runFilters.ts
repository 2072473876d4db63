// The runs list's filters and sort live in the URL (`/runs?range=1h&outcome=failure&sort=cost`),
// so a filtered view is a link. This module turns the query string into filters, filters into API
// parameters, and decides whether a run pushed by the live stream belongs on screen.
import type { Run, RunOutcome, RunsQuery } from '@runlens/schema';

export const RANGE_PRESETS = [
  { id: '15m', label: 'Last 15 min', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export type RangePresetId = (typeof RANGE_PRESETS)[number]['id'];

export const SORT_KEYS = ['start', 'name', 'agent', 'user', 'outcome', 'duration', 'tokens', 'cost'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface RunFilters {
  /** A preset ('1h'…), 'all', or 'custom' with `from` / `to`. */
  range: RangePresetId | 'all' | 'custom';
  from: number | null;
  to: number | null;
  outcome: RunOutcome | null;
  agent: string;
  model: string;
  version: string;
  user: string;
  service: string;
  session: string;
  q: string;
  sort: SortKey;
  desc: boolean;
}

export const DEFAULT_FILTERS: RunFilters = {
  range: 'all', from: null, to: null, outcome: null, agent: '', model: '', version: '', user: '', service: '',
  session: '', q: '', sort: 'start', desc: true,
};

const OUTCOMES: readonly string[] = ['success', 'failure', 'escalated', 'budget_exceeded', 'running'];
const TEXT_KEYS = ['agent', 'model', 'version', 'user', 'service', 'session', 'q'] as const;

export function filtersFromSearch(search: string | URLSearchParams): RunFilters {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const f: RunFilters = { ...DEFAULT_FILTERS };
  const from = numberParam(params.get('from'));
  const to = numberParam(params.get('to'));
  const range = params.get('range');
  if (from != null || to != null) {
    f.range = 'custom';
    f.from = from;
    f.to = to;
  } else if (range && RANGE_PRESETS.some((p) => p.id === range)) {
    f.range = range as RangePresetId;
  }
  const outcome = params.get('outcome');
  if (outcome && OUTCOMES.includes(outcome)) f.outcome = outcome as RunOutcome;
  for (const key of TEXT_KEYS) f[key] = params.get(key)?.trim() ?? '';
  const sort = params.get('sort');
  if (sort && (SORT_KEYS as readonly string[]).includes(sort)) f.sort = sort as SortKey;
  f.desc = params.get('dir') !== 'asc';
  return f;
}

/** Query string for a page URL; defaults are left out so links stay short. */
export function filtersToSearch(f: RunFilters): string {
  const params = new URLSearchParams();
  if (f.range === 'custom') {
    if (f.from != null) params.set('from', String(Math.round(f.from)));
    if (f.to != null) params.set('to', String(Math.round(f.to)));
  } else if (f.range !== 'all') {
    params.set('range', f.range);
  }
  if (f.outcome) params.set('outcome', f.outcome);
  for (const key of TEXT_KEYS) if (f[key]) params.set(key, f[key]);
  if (f.sort !== 'start') params.set('sort', f.sort);
  if (!f.desc) params.set('dir', 'asc');
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** True when any filter narrows the list (used to tell "no runs yet" from "no runs match"). */
export function hasActiveFilters(f: RunFilters): boolean {
  return f.range !== 'all' || f.outcome != null || TEXT_KEYS.some((k) => f[k] !== '');
}

/** API parameters for `GET /api/runs`. Relative ranges are resolved against `now`. */
export function filtersToQuery(f: RunFilters, now: number = Date.now()): RunsQuery {
  const query: RunsQuery = {};
  if (f.range === 'custom') {
    if (f.from != null) query.from = f.from;
    if (f.to != null) query.to = f.to;
  } else if (f.range !== 'all') {
    const preset = RANGE_PRESETS.find((p) => p.id === f.range)!;
    query.from = now - preset.ms;
  }
  if (f.outcome) query.outcome = f.outcome;
  if (f.agent) query.agent = f.agent;
  if (f.model) query.model = f.model;
  if (f.version) query.version = f.version;
  if (f.user) query.user = f.user;
  if (f.service) query.service = f.service;
  if (f.session) query.session = f.session;
  if (f.q) query.q = f.q;
  return query;
}

/**
 * Whether a run pushed by the live stream belongs in the list under these filters. Free-text
 * search runs over span contents the stream does not carry, so with `q` set only runs already on
 * screen are updated (the caller handles that).
 */
export function runMatchesFilters(run: Run, f: RunFilters, now: number = Date.now()): boolean {
  if (f.q) return false;
  const query = filtersToQuery(f, now);
  if (query.from != null && run.startTime < query.from) return false;
  if (query.to != null && run.startTime > query.to) return false;
  if (f.outcome && run.outcome !== f.outcome) return false;
  if (f.agent && run.agent !== f.agent) return false;
  if (f.model && run.versions.model !== f.model) return false;
  if (f.version && !Object.values(run.versions).includes(f.version)) return false;
  if (f.user && run.userId !== f.user) return false;
  if (f.service && run.service !== f.service) return false;
  if (f.session && run.sessionId !== f.session) return false;
  return true;
}

const sortValue: Record<SortKey, (r: Run) => number | string | null> = {
  start: (r) => r.startTime,
  name: (r) => r.name,
  agent: (r) => r.agent,
  user: (r) => r.userId,
  outcome: (r) => r.outcome,
  duration: (r) => r.durationMs,
  tokens: (r) => r.inputTokens + r.outputTokens,
  cost: (r) => r.costUsd,
};

/** A sorted copy; empty values (unknown price, no user) go last in either direction. */
export function sortRuns(runs: readonly Run[], key: SortKey, desc: boolean): Run[] {
  const value = sortValue[key];
  const sign = desc ? -1 : 1;
  return [...runs].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va == null || vb == null) return va == null ? (vb == null ? 0 : 1) : -1;
    const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return cmp * sign || b.startTime - a.startTime;
  });
}

/**
 * Puts a run from the live stream into the list: replaces the row with the same trace id, or
 * inserts a new one at the top. Returns the same array when nothing changed.
 */
export function upsertRun(runs: readonly Run[], run: Run, insertIfNew: boolean): readonly Run[] {
  const at = runs.findIndex((r) => r.traceId === run.traceId);
  if (at >= 0) return runs.with(at, run);
  return insertIfNew ? [run, ...runs] : runs;
}

function numberParam(value: string | null): number | null {
  if (value == null || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
