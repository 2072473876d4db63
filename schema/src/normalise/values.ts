// Reading attribute values whatever their encoding. GenAI "any" attributes arrive as a JSON string
// (every JS SDK) or structured (kvlist → object, array → array, from other SDKs); integers arrive as
// numbers or, from some exporters, as strings.
import type { AttributeValue } from '../types.ts';

/** A non-empty string, or a number/boolean shown as one; null otherwise. */
export function asString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A finite number from a number or a numeric string; null otherwise. */
export function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A token count: a finite number >= 0 (clients sometimes send -1 for "unknown"). */
export function asTokenCount(value: unknown): number | null {
  const n = asNumber(value);
  return n !== null && n >= 0 ? n : null;
}

/**
 * The value a client meant: a string holding a JSON object or array is parsed, anything else is
 * returned as is. Only `{` and `[` openers are tried so that plain text like "42" or "true" stays text.
 */
export function parseJsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let i = 0;
  // Skip leading whitespace without allocating a trimmed copy of a possibly large prompt.
  while (i < value.length && value.charCodeAt(i) <= 32) i++;
  const first = value.charCodeAt(i);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A plain object (a kvlist, or a parsed JSON object); null otherwise. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** The first element of an array (or of a JSON array string), or the value itself if it is a scalar string. */
export function firstString(value: unknown): string | null {
  const parsed = parseJsonValue(value);
  if (Array.isArray(parsed)) return parsed.length > 0 ? asString(parsed[0]) : null;
  return asString(parsed);
}

// Finish reasons normalised to the GenAI values (stop, length, content_filter, tool_call, error):
// rule 5 of conventions.md, plus the provider-native spellings that OpenLLMetry and OpenInference pass
// through unchanged (Anthropic end_turn / tool_use / max_tokens, Gemini STOP / MAX_TOKENS / SAFETY).
const FINISH_REASONS: Record<string, string> = {
  tool_calls: 'tool_call',
  'tool-calls': 'tool_call',
  tool_use: 'tool_call',
  function_call: 'tool_call',
  'content-filter': 'content_filter',
  safety: 'content_filter',
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
};

export function normaliseFinishReason(reason: string | null): string | null {
  if (reason === null) return null;
  const lower = reason.toLowerCase();
  return FINISH_REASONS[lower] ?? lower;
}

/** Largest index accepted when un-flattening `prefix.N.…` keys: a bound on what one span can allocate. */
export const MAX_FLATTENED_INDEX = 1000;

/** One flattened key below a known prefix: `rest` is what follows the prefix, e.g. `0.message.role`. */
export type FlatEntry = [rest: string, value: AttributeValue];

/**
 * Rebuilds the list that indexed keys describe (`0.message.role` → `[{ message: { role } }]`).
 * Numeric segments become array positions, others object keys; holes are dropped; indices above
 * MAX_FLATTENED_INDEX and prototype-polluting segments are ignored.
 */
export function unflattenIndexed(entries: FlatEntry[]): unknown[] {
  const root: unknown[] = [];
  for (const [rest, value] of entries) {
    const segments = rest.split('.');
    let container: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const index = arrayIndex(segment);
      const isLast = i === segments.length - 1;
      let key: string | number;
      if (Array.isArray(container)) {
        if (index === null) break;
        key = index;
      } else {
        if (segment === '__proto__' || segment === 'constructor' || segment === 'prototype') break;
        key = segment;
      }
      if (isLast) {
        (container as Record<string | number, unknown>)[key] = value;
        break;
      }
      const nextIsIndex = arrayIndex(segments[i + 1]!) !== null;
      let next = (container as Record<string | number, unknown>)[key];
      if (typeof next !== 'object' || next === null) {
        next = nextIsIndex ? [] : {};
        (container as Record<string | number, unknown>)[key] = next;
      }
      container = next as Record<string, unknown> | unknown[];
    }
  }
  return compact(root) as unknown[];
}

function arrayIndex(segment: string): number | null {
  const length = segment.length;
  if (length === 0 || length > 4) return null;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const c = segment.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n <= MAX_FLATTENED_INDEX ? n : null;
}

/** Drops the holes a sparse index sequence leaves (`0`, `2` → two elements). */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) if (i in value) out.push(compact(value[i]));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key in record) record[key] = compact(record[key]);
  }
  return value;
}
