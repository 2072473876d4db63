// Small matchers shared by the checks: tool-name globs, argument subsets, deep equality.

const escapeRegExp = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');

/**
 * A tool-name matcher: exact for a plain name; with `*`, a glob where `*` matches any run of
 * characters within one segment (segments split on `.` and `/`, as MCP tool names do) and `**`
 * matches across segments, the same rules as the policy's tool patterns.
 */
export function toolNameMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  let source = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('**', i)) {
      source += '[\\s\\S]*';
      i += 2;
    } else if (pattern[i] === '*') {
      source += '[^./]*';
      i += 1;
    } else {
      source += escapeRegExp(pattern[i]!);
      i += 1;
    }
  }
  const re = new RegExp(`^${source}$`);
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
