// Reads a gate request from named string values: the query of GET /api/gate and the flags of
// `runlens gate` share these names (camelCase in the query, kebab-case as flags).
import { DEFAULT_THRESHOLDS } from './compare.ts';
import { VERSION_KEYS, type GateQuery, type GateThresholds, type VersionKey, type VersionSelector } from '@runlens/schema';

/** A value the caller got wrong; `param` is its name as the caller wrote it. */
export class GateParamError extends RangeError {
  constructor(
    readonly param: string,
    problem: string,
  ) {
    super(`${param}: ${problem}`);
    this.name = 'GateParamError';
  }
}

type ThresholdKind = 'count' | 'probability' | 'points' | 'relative';

export interface ThresholdParam {
  name: keyof GateThresholds;
  flag: string;
  kind: ThresholdKind;
  description: string;
}

export const THRESHOLD_PARAMS: readonly ThresholdParam[] = [
  { name: 'minRuns', flag: 'min-runs', kind: 'count', description: 'finished runs needed on each side, else inconclusive (default 20)' },
  { name: 'alpha', flag: 'alpha', kind: 'probability', description: 'significance level of the one-sided tests (default 0.05)' },
  { name: 'maxSuccessDrop', flag: 'max-success-drop', kind: 'points', description: 'acceptable drop of the success rate, e.g. 2% (default 0)' },
  { name: 'maxToolErrorRise', flag: 'max-tool-error-rise', kind: 'points', description: 'acceptable rise of the tool error rate (default 0)' },
  { name: 'maxEscalationRise', flag: 'max-escalation-rise', kind: 'points', description: 'acceptable rise of the escalation rate (default 0)' },
  { name: 'maxP95Rise', flag: 'max-p95-rise', kind: 'relative', description: 'acceptable relative rise of p95 duration, e.g. 10% (default 0)' },
  { name: 'maxCostRise', flag: 'max-cost-rise', kind: 'relative', description: 'acceptable relative rise of the mean cost per run (default 0)' },
  { name: 'maxViolationRise', flag: 'max-violation-rise', kind: 'points', description: 'acceptable rise of the share of runs with a policy violation (default 0)' },
  { name: 'maxBudgetStopRise', flag: 'max-budget-stop-rise', kind: 'points', description: 'acceptable rise of the share of runs stopped by a budget (default 0)' },
];

export function parseSelector(param: string, raw: string | undefined): VersionSelector {
  if (raw === undefined || raw.trim() === '') throw new GateParamError(param, `required, e.g. ${param}=prompt=v1 (keys: ${VERSION_KEYS.join(', ')})`);
  const at = raw.indexOf('=');
  const key = raw.slice(0, at).trim();
  const value = raw.slice(at + 1).trim();
  if (at < 0 || !(VERSION_KEYS as readonly string[]).includes(key) || value === '') {
    throw new GateParamError(param, `expected KEY=VALUE with KEY one of ${VERSION_KEYS.join(', ')} (e.g. prompt=v2), got ${JSON.stringify(raw)}`);
  }
  return { key: key as VersionKey, value };
}

function parseThreshold(spec: ThresholdParam, label: string, raw: string): number {
  const text = raw.trim();
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1) : text);
  if (!Number.isFinite(n) || n < 0) throw new GateParamError(label, `expected a number >= 0, got ${JSON.stringify(raw)}`);
  if (spec.kind === 'count') {
    if (!Number.isInteger(n) || n < 1 || percent) throw new GateParamError(label, `expected a whole number of runs >= 1, got ${JSON.stringify(raw)}`);
    return n;
  }
  const value = percent ? n / 100 : n;
  if (spec.kind === 'probability' && !(value > 0 && value < 1)) throw new GateParamError(label, `expected a probability between 0 and 1, got ${JSON.stringify(raw)}`);
  if (spec.kind === 'points' && value > 1) throw new GateParamError(label, `expected a share such as 0.02 or 2%, got ${JSON.stringify(raw)}`);
  return value;
}

/** Thresholds from values keyed by `name` (query) or `flag` (CLI); absent ones keep the defaults. */
export function parseThresholds(values: Record<string, string | undefined>, by: 'name' | 'flag'): GateThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const spec of THRESHOLD_PARAMS) {
    const key = by === 'name' ? spec.name : spec.flag;
    const raw = values[key];
    if (raw === undefined || raw.trim() === '') continue;
    thresholds[spec.name] = parseThreshold(spec, by === 'name' ? key : `--${key}`, raw);
  }
  return thresholds;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseSince(param: string, raw: string | undefined): number {
  const match = DURATION.exec((raw ?? '24h').trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!(ms > 0)) throw new GateParamError(param, `expected a duration such as 24h, 7d or 90m, got ${JSON.stringify(raw)}`);
  return ms;
}

/** The whole request from query parameters: baseline, candidate, since (default 24h), service, thresholds. */
export function parseGateParams(params: Record<string, string | undefined>, now: number): GateQuery {
  const known = new Set(['baseline', 'candidate', 'since', 'service', ...THRESHOLD_PARAMS.map((p) => p.name)]);
  for (const name of Object.keys(params)) if (!known.has(name)) throw new GateParamError(name, `unknown parameter (known: ${[...known].join(', ')})`);
  const service = params.service?.trim();
  return {
    baseline: parseSelector('baseline', params.baseline),
    candidate: parseSelector('candidate', params.candidate),
    from: now - parseSince('since', params.since),
    to: now + 1,
    ...(service ? { service } : {}),
    thresholds: parseThresholds(params, 'name'),
  };
}

/** The query string that asks the collector the same question (`runlens gate --url`). */
export function gateSearchParams(query: GateQuery, since: string): URLSearchParams {
  const search = new URLSearchParams({ baseline: `${query.baseline.key}=${query.baseline.value}`, candidate: `${query.candidate.key}=${query.candidate.value}`, since });
  if (query.service !== undefined) search.set('service', query.service);
  for (const spec of THRESHOLD_PARAMS) {
    if (query.thresholds[spec.name] !== DEFAULT_THRESHOLDS[spec.name]) search.set(spec.name, String(query.thresholds[spec.name]));
  }
  return search;
}
