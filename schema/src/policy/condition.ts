// Argument conditions: data, never code. Comparisons on argument paths combined with
// all / any / not; `matches` patterns are compiled once, with a size bound, and only ever tested.
import type { FieldPath, Issue } from './field-path.ts';
import { COMPARISON_OPERATORS } from './types.ts';
import type { ArgumentComparison, ComparisonOperator, ArgumentCondition, ConditionValue } from './types.ts';

/** Longest `matches` pattern accepted: long patterns are where catastrophic backtracking hides. */
export const MAX_PATTERN_LENGTH = 512;

const ARG_PATH = /^[^.[\]]+(?:\[\d+\])*(?:\.[^.[\]]+(?:\[\d+\])*)*$/;

/** `items[0].sku` → ['items', 0, 'sku']; null when the path is malformed. */
export function parseArgPath(path: string): Array<string | number> | null {
  if (!ARG_PATH.test(path)) return null;
  const segments: Array<string | number> = [];
  for (const part of path.split('.')) {
    const name = part.slice(0, part.includes('[') ? part.indexOf('[') : undefined);
    segments.push(name);
    for (const [, index] of part.matchAll(/\[(\d+)\]/g)) segments.push(Number(index));
  }
  return segments;
}

/** The value at an argument path, reading own properties only (never `constructor` or `__proto__`). */
export function readArg(args: unknown, segments: ReadonlyArray<string | number>): unknown {
  let value: unknown = args;
  for (const segment of segments) {
    if (Array.isArray(value)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      value = index >= 0 && index < value.length ? value[index] : undefined;
    } else if (value !== null && typeof value === 'object' && Object.hasOwn(value, String(segment))) {
      value = (value as Record<string, unknown>)[String(segment)];
    } else {
      return undefined;
    }
  }
  return value;
}

// Agents often pass numbers as strings ("150"); comparing them as numbers keeps a rule such as
// `amount > 100` from being sidestepped by the argument's type.
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

function scalarEquals(value: unknown, expected: ConditionValue): boolean {
  if (typeof expected === 'number') return toNumber(value) === expected;
  return value === expected;
}

type Test = (value: unknown) => boolean;

function operatorTest(operator: ComparisonOperator, operand: unknown): Test {
  switch (operator) {
    case 'eq':
      return (value) => scalarEquals(value, operand as ConditionValue);
    case 'ne':
      return (value) => !scalarEquals(value, operand as ConditionValue);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const limit = operand as number;
      const holds = { lt: (n: number) => n < limit, lte: (n: number) => n <= limit, gt: (n: number) => n > limit, gte: (n: number) => n >= limit }[operator];
      return (value) => {
        const n = toNumber(value);
        return n !== null && holds(n);
      };
    }
    case 'in': {
      const options = operand as ConditionValue[];
      return (value) => options.some((option) => scalarEquals(value, option));
    }
    case 'matches': {
      const pattern = new RegExp(operand as string);
      return (value) => (typeof value === 'string' || typeof value === 'number') && pattern.test(String(value));
    }
  }
}

type CompiledCondition =
  | { kind: 'all' | 'any'; of: CompiledCondition[] }
  | { kind: 'not'; of: CompiledCondition }
  | { kind: 'compare'; path: Array<string | number>; tests: Test[] };

const compiledConditions = new WeakMap<ArgumentCondition, CompiledCondition>();

function compile(condition: ArgumentCondition): CompiledCondition {
  if ('all' in condition) return { kind: 'all', of: condition.all.map(compileCondition) };
  if ('any' in condition) return { kind: 'any', of: condition.any.map(compileCondition) };
  if ('not' in condition) return { kind: 'not', of: compileCondition(condition.not) };
  const path = parseArgPath(condition.path);
  if (path === null) throw new Error(`condition path "${condition.path}" is malformed`);
  const tests = COMPARISON_OPERATORS.filter((op) => condition[op] !== undefined).map((op) => operatorTest(op, condition[op]));
  return { kind: 'compare', path, tests };
}

/** Compiles a validated condition once; later calls with the same object reuse it. */
export function compileCondition(condition: ArgumentCondition): CompiledCondition {
  let compiled = compiledConditions.get(condition);
  if (!compiled) {
    compiled = compile(condition);
    compiledConditions.set(condition, compiled);
  }
  return compiled;
}

function evaluateCompiled(compiled: CompiledCondition, args: unknown): boolean {
  switch (compiled.kind) {
    case 'all':
      return compiled.of.every((c) => evaluateCompiled(c, args));
    case 'any':
      return compiled.of.some((c) => evaluateCompiled(c, args));
    case 'not':
      return !evaluateCompiled(compiled.of, args);
    case 'compare': {
      const value = readArg(args, compiled.path);
      return compiled.tests.every((test) => test(value));
    }
  }
}

/**
 * Whether a condition holds for a tool's arguments. Numeric comparisons also read numeric strings;
 * a missing argument fails every comparison except `ne`.
 */
export function evaluateCondition(condition: ArgumentCondition, args: unknown): boolean {
  return evaluateCompiled(compileCondition(condition), args);
}

const OPERATOR_TEXT: Record<ComparisonOperator, string> = { eq: '==', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=', in: 'in', matches: 'matches' };

function operandText(operator: ComparisonOperator, operand: unknown): string {
  return operator === 'matches' ? `/${String(operand)}/` : JSON.stringify(operand);
}

/** A condition as a person reads it: `amount > 100`, `(currency == "USD" or not (country in ["US"]))`. */
export function describeCondition(condition: ArgumentCondition): string {
  if ('all' in condition) return `(${condition.all.map(describeCondition).join(' and ')})`;
  if ('any' in condition) return `(${condition.any.map(describeCondition).join(' or ')})`;
  if ('not' in condition) return `not ${describeCondition(condition.not)}`;
  const parts = COMPARISON_OPERATORS.filter((op) => condition[op] !== undefined).map(
    (op) => `${condition.path} ${OPERATOR_TEXT[op]} ${operandText(op, condition[op])}`,
  );
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' and ')})`;
}

/** Every argument path a condition reads, in order, without repeats. */
export function conditionPaths(condition: ArgumentCondition): string[] {
  if ('all' in condition) return [...new Set(condition.all.flatMap(conditionPaths))];
  if ('any' in condition) return [...new Set(condition.any.flatMap(conditionPaths))];
  if ('not' in condition) return conditionPaths(condition.not);
  return [condition.path];
}

const MAX_SHOWN_VALUE = 80;

/** The arguments a condition read, for a reason: `amount = 150, currency = "USD"`. */
export function describeConditionArgs(condition: ArgumentCondition, args: unknown): string {
  return conditionPaths(condition)
    .map((path) => {
      const value = readArg(args, parseArgPath(path) ?? []);
      let text = value === undefined ? 'missing' : JSON.stringify(value) ?? String(value);
      if (text.length > MAX_SHOWN_VALUE) text = `${text.slice(0, MAX_SHOWN_VALUE)}…`;
      return `${path} = ${text}`;
    })
    .join(', ');
}

// ---- validation -------------------------------------------------------------------------------

const isScalar = (value: unknown): value is ConditionValue =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const COMBINATORS = ['all', 'any', 'not'];

/** Reads a condition from the raw document, reporting every problem; undefined when it is invalid. */
export function readCondition(raw: unknown, at: FieldPath, issues: Issue[]): ArgumentCondition | undefined {
  if (!isPlainObject(raw)) {
    issues.push({ at, message: 'a condition must be a mapping such as { path: amount, gt: 100 }, or { all | any: [...] }, or { not: {...} }' });
    return undefined;
  }
  const keys = Object.keys(raw);
  const combinator = keys.find((key) => COMBINATORS.includes(key));
  if (combinator !== undefined) {
    if (keys.length !== 1) {
      issues.push({ at, message: `"${combinator}" must be the only key of its condition; found ${keys.map((k) => `"${k}"`).join(', ')}` });
      return undefined;
    }
    const inner = raw[combinator];
    if (combinator === 'not') {
      const condition = readCondition(inner, [...at, 'not'], issues);
      return condition && { not: condition };
    }
    if (!Array.isArray(inner) || inner.length === 0) {
      issues.push({ at: [...at, combinator], message: `"${combinator}" takes a non-empty list of conditions` });
      return undefined;
    }
    const conditions = inner.map((item, i) => readCondition(item, [...at, combinator, i], issues));
    if (conditions.some((c) => c === undefined)) return undefined;
    return combinator === 'all' ? { all: conditions as ArgumentCondition[] } : { any: conditions as ArgumentCondition[] };
  }
  return readComparison(raw, at, issues);
}

function readComparison(raw: Record<string, unknown>, at: FieldPath, issues: Issue[]): ArgumentComparison | undefined {
  const before = issues.length;
  const comparison: ArgumentComparison = { path: '' };
  if (typeof raw.path !== 'string' || parseArgPath(raw.path) === null) {
    issues.push({ at: [...at, 'path'], message: `an argument path such as amount, customer.id or items[0].sku is required, got ${JSON.stringify(raw.path) ?? 'nothing'}` });
  } else {
    comparison.path = raw.path;
  }
  let operators = 0;
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'path') continue;
    const where = [...at, key];
    if (!(COMPARISON_OPERATORS as readonly string[]).includes(key)) {
      issues.push({ at: where, message: `unknown operator "${key}"; expected one of ${COMPARISON_OPERATORS.join(', ')} (or all, any, not)` });
      continue;
    }
    operators += 1;
    const operator = key as ComparisonOperator;
    if ((operator === 'eq' || operator === 'ne') && !isScalar(value)) {
      issues.push({ at: where, message: `${operator} compares with a string, number, boolean or null, got ${JSON.stringify(value)}` });
    } else if ((operator === 'lt' || operator === 'lte' || operator === 'gt' || operator === 'gte') && !(typeof value === 'number' && Number.isFinite(value))) {
      issues.push({ at: where, message: `${operator} compares with a number, got ${JSON.stringify(value)}` });
    } else if (operator === 'in' && !(Array.isArray(value) && value.length > 0 && value.every(isScalar))) {
      issues.push({ at: where, message: 'in takes a non-empty list of strings, numbers, booleans or null' });
    } else if (operator === 'matches') {
      const problem = patternProblem(value);
      if (problem) issues.push({ at: where, message: problem });
    }
    (comparison as unknown as Record<string, unknown>)[operator] = Array.isArray(value) ? [...value] : value;
  }
  if (operators === 0) {
    issues.push({ at, message: `a comparison needs an operator: one of ${COMPARISON_OPERATORS.join(', ')}` });
  }
  return issues.length === before ? comparison : undefined;
}

function patternProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `matches takes a regular expression as a string, got ${JSON.stringify(value)}`;
  if (value.length > MAX_PATTERN_LENGTH) return `the pattern is ${value.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`;
  try {
    new RegExp(value);
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
  return null;
}
