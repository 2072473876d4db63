// Helpers for walking a parsed OTLP request, which is JSON-shaped whichever wire it came on.
import { describeJsonType, InvalidItemError, InvalidRequestError } from './errors.ts';

export type Raw = Record<string, unknown>;

/** Enough rejection messages to diagnose a client without an unbounded response. */
export const MAX_PROBLEMS = 10;

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** An optional repeated field: absent → [], anything but an array is a request error. */
export function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidRequestError(`must be an array, got ${describeJsonType(value)}`, field);
  return value;
}

/** Times are stored as signed 64-bit integers (SQLite INTEGER), which last until the year 2262. */
const MAX_UNIX_NANOS = 2n ** 63n - 1n;

/** A nanosecond time the store can hold; fixed64 and 20-digit strings can exceed it. */
export function checkUnixNanos(nanos: bigint, field: string): bigint {
  if (nanos > MAX_UNIX_NANOS) throw new InvalidItemError(`${field} ${nanos} is after the year 2262 (2^63 - 1 ns)`);
  return nanos;
}
