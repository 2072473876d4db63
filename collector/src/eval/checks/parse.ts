// Validation of check objects from a dataset (or a checks file). Every problem is collected with
// the field it concerns (`checks[1].type`), so a file is reported whole, not error by error.

import { CHECK_TYPES, LEAK_KINDS, SEVERITIES } from '../types.ts';
import type { Check, CheckType, ExpectedOutcome, LeakKind, Severity } from '../types.ts';
import { compileJsonSchema, TOOL_TARGET_PREFIX } from './json-schema.ts';
import { isPlainObject, preview } from './match.ts';
import { isApproximately } from './state.ts';

export interface FieldIssue {
  /** Where in the case: `checks[1].type`, `env`, `attack.kind`. */
  field: string;
  message: string;
}

export interface CheckDefaults {
  /** The case's severity, inherited by checks that give none. */
  severity: Severity;
  /** The case's expectations, used by checks that leave out their own value. */
  expected?: ExpectedOutcome;
}

const COMMON_FIELDS = ['type', 'name', 'severity'];
const FIELDS: Record<CheckType, string[]> = {
  json_schema: ['schema', 'target'],
  equals: ['value', 'negate'],
  contains: ['value', 'negate'],
  regex: ['value', 'flags', 'negate'],
  tool_called: ['tool', 'args'],
  no_tool_call: ['tool', 'args'],
  tool_sequence: ['tools'],
  state: ['expect', 'strict'],
  no_leak: ['kinds', 'allow'],
  domain: ['module', 'export'],
  refusal: ['expected'],
  budget: ['maxTokens', 'maxToolCalls', 'maxDurationMs'],
  policy: [],
};

export function quoteList(values: readonly string[]): string {
  return values.join(', ');
}

/** Reads fields of one object, recording an issue for each bad one. */
class FieldReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly at: string,
    readonly issues: FieldIssue[],
  ) {}

  field(name: string): string {
    return `${this.at}.${name}`;
  }

  problem(name: string, message: string): void {
    this.issues.push({ field: this.field(name), message });
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string, required: boolean): string | undefined {
    const value = this.raw[name];
    if (value === undefined) {
      if (required) this.problem(name, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value === '') {
      this.problem(name, `must be a non-empty string, got ${preview(value, 60)}`);
      return undefined;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(name, `must be true or false, got ${preview(value, 60)}`);
      return fallback;
    }
    return value;
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (!isPlainObject(value)) {
      this.problem(name, `must be an object, got ${preview(value, 60)}`);
      return undefined;
    }
    return value;
  }

  stringArray(name: string): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
      this.problem(name, `must be an array of non-empty strings, got ${preview(value, 60)}`);
      return undefined;
    }
    return value as string[];
  }

  limit(name: string): number | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.problem(name, `must be a non-negative number, got ${preview(value, 60)}`);
      return undefined;
    }
    return value;
  }

  onlyKnown(known: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!known.includes(key)) this.problem(key, `unknown field (known: ${quoteList(known)})`);
    }
  }
}

export function parseSeverity(value: unknown, field: string, issues: FieldIssue[]): Severity | undefined {
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  issues.push({ field, message: `must be one of ${quoteList(SEVERITIES)}, got ${preview(value, 60)}` });
  return undefined;
}

/** One check; null when it has problems (they are in `issues`). */
export function parseCheck(raw: unknown, at: string, defaults: CheckDefaults, issues: FieldIssue[]): Check | null {
  if (!isPlainObject(raw)) {
    issues.push({ field: at, message: `a check must be an object with a "type", got ${preview(raw, 60)}` });
    return null;
  }
  const before = issues.length;
  const read = new FieldReader(raw, at, issues);
  const type = raw.type;
  if (typeof type !== 'string' || !(CHECK_TYPES as readonly string[]).includes(type)) {
    read.problem('type', `${type === undefined ? 'is required' : `unknown check type ${preview(type, 40)}`} (known: ${quoteList(CHECK_TYPES)})`);
    return null;
  }
  const checkType = type as CheckType;
  read.onlyKnown([...COMMON_FIELDS, ...FIELDS[checkType]]);
  const name = read.string('name', false);
  const severity = raw.severity === undefined ? defaults.severity : parseSeverity(raw.severity, read.field('severity'), issues);
  const base = { ...(name !== undefined ? { name } : {}), severity: severity ?? defaults.severity };
  const check = parseTyped(checkType, read, base, defaults);
  return issues.length === before ? check : null;
}

function parseTyped(
  type: CheckType,
  read: FieldReader,
  base: { name?: string; severity: Severity },
  defaults: CheckDefaults,
): Check | null {
  const raw = read.raw;
  switch (type) {
    case 'json_schema': {
      const target = read.string('target', false) ?? 'output';
      if (target !== 'output' && !(target.startsWith(TOOL_TARGET_PREFIX) && target.length > TOOL_TARGET_PREFIX.length)) {
        read.problem('target', `must be "output" or "tool:NAME", got ${preview(target, 60)}`);
      }
      const schema = raw.schema;
      if (!isPlainObject(schema) && typeof schema !== 'boolean') {
        read.problem('schema', `must be a JSON Schema object, got ${preview(schema, 60)}`);
        return null;
      }
      try {
        compileJsonSchema(schema);
      } catch (error) {
        read.problem('schema', `not a valid JSON Schema: ${(error as Error).message}`);
        return null;
      }
      return { ...base, type, schema, target };
    }
    case 'equals': {
      const value = raw.value !== undefined ? raw.value : defaults.expected?.output;
      if (value === undefined) read.problem('value', 'is required when the case has no expected.output');
      return { ...base, type, value, negate: read.boolean('negate', false) };
    }
    case 'contains': {
      const value = read.string('value', true);
      return value === undefined ? null : { ...base, type, value, negate: read.boolean('negate', false) };
    }
    case 'regex': {
      const value = read.string('value', true);
      const flags = read.has('flags') ? read.string('flags', false) ?? '' : '';
      if (value === undefined) return null;
      try {
        new RegExp(value, flags);
      } catch (error) {
        read.problem('value', `not a valid regular expression: ${(error as Error).message}`);
        return null;
      }
      return { ...base, type, value, flags, negate: read.boolean('negate', false) };
    }
    case 'tool_called':
    case 'no_tool_call': {
      const tool = read.string('tool', true);
      const args = read.object('args');
      if (tool === undefined) return null;
      return { ...base, type, tool, ...(args !== undefined ? { args } : {}) };
    }
    case 'tool_sequence': {
      const tools = read.stringArray('tools') ?? defaults.expected?.toolCalls?.map((call) => call.name);
      if (tools === undefined || tools.length === 0) {
        if (!read.has('tools')) read.problem('tools', 'is required when the case has no expected.toolCalls');
        else if (tools !== undefined) read.problem('tools', 'must name at least one tool');
        return null;
      }
      return { ...base, type, tools };
    }
    case 'state': {
      const own = read.object('expect');
      const expect = own ?? (read.has('expect') ? undefined : defaults.expected?.state);
      if (expect === undefined) {
        if (!read.has('expect')) read.problem('expect', 'is required when the case has no expected.state');
        return null;
      }
      validateStateExpectation(expect, own !== undefined ? read.field('expect') : 'expected.state', read.issues);
      return { ...base, type, expect, strict: read.boolean('strict', false) };
    }
    case 'no_leak': {
      const kinds = read.stringArray('kinds') ?? [...LEAK_KINDS];
      const unknown = kinds.filter((kind) => !(LEAK_KINDS as readonly string[]).includes(kind));
      if (unknown.length > 0) read.problem('kinds', `unknown kind ${preview(unknown[0], 40)} (known: ${quoteList(LEAK_KINDS)})`);
      if (read.has('kinds') && kinds.length === 0) read.problem('kinds', `must name at least one of ${quoteList(LEAK_KINDS)}`);
      const allow = read.stringArray('allow') ?? [];
      return { ...base, type, kinds: kinds as LeakKind[], allow };
    }
    case 'domain': {
      const module = read.string('module', true);
      const exported = read.string('export', false) ?? 'default';
      return module === undefined ? null : { ...base, type, module, export: exported };
    }
    case 'refusal':
      return { ...base, type, expected: read.boolean('expected', true) };
    case 'budget': {
      const maxTokens = read.limit('maxTokens');
      const maxToolCalls = read.limit('maxToolCalls');
      const maxDurationMs = read.limit('maxDurationMs');
      if (!read.has('maxTokens') && !read.has('maxToolCalls') && !read.has('maxDurationMs')) {
        read.problem('maxTokens', 'a budget check needs at least one of maxTokens, maxToolCalls, maxDurationMs');
      }
      return {
        ...base,
        type,
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(maxToolCalls !== undefined ? { maxToolCalls } : {}),
        ...(maxDurationMs !== undefined ? { maxDurationMs } : {}),
      };
    }
    case 'policy':
      return { ...base, type };
  }
}

/** `{ approx, tol }` entries must be well formed; other values are compared as they are. */
export function validateStateExpectation(expect: Record<string, unknown>, at: string, issues: FieldIssue[]): void {
  for (const [path, value] of Object.entries(expect)) {
    if (path === '' || path.split('.').some((part) => part === '')) {
      issues.push({ field: `${at}.${path}`, message: 'a state path needs names between its dots, like "orders.7.status"' });
    }
    if (isPlainObject(value) && 'approx' in value && !isApproximately(value)) {
      issues.push({ field: `${at}.${path}`, message: `an approximate value is { "approx": number, "tol": number }, got ${preview(value, 60)}` });
    } else if (isApproximately(value) && value.tol < 0) {
      issues.push({ field: `${at}.${path}.tol`, message: `must not be negative, got ${value.tol}` });
    }
  }
}

/** A list of checks (a case's `checks`, or a checks file for production traces). */
export function parseChecks(raw: unknown, at: string, defaults: CheckDefaults, issues: FieldIssue[]): Check[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({ field: at, message: raw === undefined ? 'is required: a case needs at least one check' : 'must be a non-empty array of checks' });
    return [];
  }
  const checks: Check[] = [];
  raw.forEach((item, index) => {
    const check = parseCheck(item, `${at}[${index}]`, defaults, issues);
    if (check) checks.push(check);
  });
  return checks;
}
