// `state`: paths into the fake tools' post-state. `null` means absent, `{ approx, tol }` a number
// within a tolerance, anything else structural equality; `strict` also requires that no field
// outside the expected paths changed between the before- and after-state.

import type { Approximately, CheckContext, StateCheck } from '../types.ts';
import { deepEqual, isPlainObject, preview } from './match.ts';
import type { CheckOutcome } from './outcome.ts';

export function isApproximately(value: unknown): value is Approximately {
  return (
    isPlainObject(value) &&
    typeof value.approx === 'number' &&
    typeof value.tol === 'number' &&
    Object.keys(value).every((key) => key === 'approx' || key === 'tol')
  );
}

/** Value at a dotted path (`orders.7.status`: object keys or array indexes); undefined if absent. */
export function readPath(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function holds(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === undefined || actual === null;
  if (isApproximately(expected)) return typeof actual === 'number' && Math.abs(actual - expected.approx) <= expected.tol;
  return deepEqual(actual, expected);
}

/**
 * Leaf paths whose value differs between two states. Objects and arrays are walked on both
 * sides, a side that is missing counts as empty (an added record lists each of its fields);
 * where the shapes differ (a scalar replaced by an object…) the path itself is the change.
 */
export function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (deepEqual(before, after)) return [];
  const walkable = (value: unknown): boolean => isPlainObject(value) || Array.isArray(value) || value === undefined;
  const sameShape = before === undefined || after === undefined || Array.isArray(before) === Array.isArray(after);
  if (!walkable(before) || !walkable(after) || !sameShape) return [prefix];
  const left = (before ?? {}) as Record<string, unknown>;
  const right = (after ?? {}) as Record<string, unknown>;
  const changes: string[] = [];
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    changes.push(...changedPaths(left[key], right[key], prefix === '' ? key : `${prefix}.${key}`));
  }
  return changes;
}

export function checkState(check: StateCheck, context: CheckContext): CheckOutcome {
  if (context.after === undefined) {
    throw new Error('state check needs the post-state of the fake tools; the runner passes ctx.env after the run as `after`');
  }
  const entries = Object.entries(check.expect);
  const mismatches: string[] = [];
  for (const [path, expected] of entries) {
    const actual = readPath(context.after, path);
    if (!holds(actual, expected)) {
      const want = expected === null ? 'absent' : isApproximately(expected) ? `${expected.approx} ± ${expected.tol}` : preview(expected, 120);
      mismatches.push(`${path} is ${actual === undefined ? 'absent' : preview(actual, 120)}, expected ${want}`);
    }
  }
  let unexpected: string[] = [];
  if (check.strict) {
    if (context.before === undefined) throw new Error('strict state check needs the state before the run (`before`)');
    const expectedPaths = entries.map(([path]) => path);
    unexpected = changedPaths(context.before, context.after).filter(
      (changed) => !expectedPaths.some((path) => changed === path || changed.startsWith(`${path}.`)),
    );
  }
  const total = entries.length + (check.strict ? 1 : 0);
  const failed = mismatches.length + (unexpected.length > 0 ? 1 : 0);
  if (failed === 0) {
    return { passed: true, explanation: `all ${entries.length} expected field(s) hold${check.strict ? ' and nothing else changed' : ''}` };
  }
  const problems = [...mismatches];
  if (unexpected.length > 0) problems.push(`fields changed that were not expected to: ${unexpected.slice(0, 10).join(', ')}${unexpected.length > 10 ? ', …' : ''}`);
  return { passed: false, score: total === 0 ? 0 : (total - failed) / total, explanation: problems.join('; ') };
}
