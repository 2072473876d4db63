// Helpers for walking a parsed OTLP request, which is JSON-shaped whichever wire it came on.
import { describeJsonType, InvalidRequestError } from './errors.ts';

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
