// Typed readers for query parameters. Each one validates and throws a 400 naming the parameter,
// so routes read as a list of what they accept.
import { badParameter } from './errors.ts';

/** Empty values count as absent, as in `?service=&agent=x`. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function optionalString(name: string, value: string | undefined, maxLength = 1000): string | undefined {
  const v = present(value);
  if (v !== undefined && v.length > maxLength) throw badParameter(name, `at most ${maxLength} characters, got ${v.length}`);
  return v;
}

/** Epoch milliseconds, or an ISO 8601 date for convenience in a browser bar. */
export function optionalTime(name: string, value: string | undefined): number | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) {
    const ms = Number(v);
    if (Number.isSafeInteger(ms)) return ms;
  } else if (/^\d{4}-\d\d-\d\d/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw badParameter(name, `expected epoch milliseconds (e.g. ${Date.UTC(2026, 0, 1)}) or an ISO date, got ${JSON.stringify(v)}`);
}

export function optionalInteger(name: string, value: string | undefined, min: number, max: number): number | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw badParameter(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function optionalEnum<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw badParameter(name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in ms (`60000`) or with a unit (`5m`, `1h`, `1d`). */
export function optionalDuration(name: string, value: string | undefined): number | undefined {
  const v = present(value);
  if (v === undefined) return undefined;
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(v);
  const ms = match ? Number(match[1]) * DURATION_MS[match[2] ?? 'ms']! : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw badParameter(name, `expected a positive duration in ms or with a unit (e.g. 60000, 5m, 1h), got ${JSON.stringify(v)}`);
  return ms;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;
const ZERO_ID = /^0+$/;

/** 32 hex characters, not all zero (OTLP); returned lower-case as the store keeps it. */
export function traceIdParameter(value: string): string {
  if (!TRACE_ID.test(value) || ZERO_ID.test(value)) {
    throw badParameter('traceId', `expected 32 hex characters, not all zero, got ${JSON.stringify(value.slice(0, 64))}`);
  }
  return value.toLowerCase();
}
