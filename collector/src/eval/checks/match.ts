// Small matchers shared by the checks: tool-name globs, argument subsets, deep equality.

import { compileGlob, isGlob } from '@runlens/schema';

// The policy's glob, so `no_tool_call: "delete_*"` means what `deny: delete_*` means. Its tool
// separators (TOOL_SEPARATORS in schema/src/policy/glob.ts) are not exported from the package
// root, so they are repeated here: `*` stays within a segment of an MCP-style `server.tool` or
// `server/tool` name, `**` crosses segments.
const TOOL_SEPARATORS = './';

/** A tool-name matcher: exact for a plain name, the policy's glob when the pattern has `*`. */
export function toolNameMatcher(pattern: string): (name: string) => boolean {
  if (!isGlob(pattern)) return (name) => name === pattern;
  const re = compileGlob(pattern, TOOL_SEPARATORS);
  return (name) => re.test(name);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * `actual` contains `expected`: every key of an expected object is present with a matching
 * value (extra keys are fine, at any depth); arrays match element by element with equal length;
 * scalars must be strictly equal (7 does not match "7").
 */
export function matchesSubset(actual: unknown, expected: unknown): boolean {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false;
    return Object.entries(expected).every(([key, value]) => Object.hasOwn(actual, key) && matchesSubset(actual[key], value));
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => matchesSubset(actual[i], item));
  }
  return actual === expected;
}

/** Short JSON for explanations: long values are cut so a result stays readable. */
export function preview(value: unknown, max = 200): string {
  const text = value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
