import { describe, expect, it } from 'vitest';
import type { Issue } from './field-path.ts';
import { MAX_PATTERN_LENGTH, conditionPaths, describeCondition, evaluateCondition, parseArgPath, readArg, readCondition } from './condition.ts';
import type { ArgumentCondition } from './types.ts';

function read(raw: unknown): { condition: ArgumentCondition | undefined; issues: Issue[] } {
  const issues: Issue[] = [];
  return { condition: readCondition(raw, ['when'], issues), issues };
}

describe('argument paths', () => {
  it('reads dotted paths into nested objects and array indices', () => {
    const args = { customer: { id: 'c-1', tags: ['vip', 'eu'] }, items: [{ sku: 'A' }, { sku: 'B' }] };
    expect(readArg(args, parseArgPath('customer.id')!)).toBe('c-1');
    expect(readArg(args, parseArgPath('items[1].sku')!)).toBe('B');
    expect(readArg(args, parseArgPath('items.0.sku')!)).toBe('A');
    expect(readArg(args, parseArgPath('customer.tags[0]')!)).toBe('vip');
    expect(readArg(args, parseArgPath('items[5].sku')!)).toBeUndefined();
    expect(readArg('not an object', parseArgPath('a')!)).toBeUndefined();
  });

  it('never reaches inherited properties such as constructor or __proto__', () => {
    expect(readArg({}, parseArgPath('constructor.name')!)).toBeUndefined();
    expect(readArg({}, parseArgPath('__proto__')!)).toBeUndefined();
    expect(readArg([1], parseArgPath('length')!)).toBeUndefined();
  });

  it('rejects malformed paths', () => {
    expect(parseArgPath('a..b')).toBeNull();
    expect(parseArgPath('a[x]')).toBeNull();
    expect(parseArgPath('')).toBeNull();
  });
});

describe('comparisons', () => {
  const holds = (condition: ArgumentCondition, args: unknown): boolean => evaluateCondition(condition, args);

  it('eq and ne compare values, numbers also against numeric strings', () => {
    expect(holds({ path: 'currency', eq: 'USD' }, { currency: 'USD' })).toBe(true);
    expect(holds({ path: 'currency', eq: 'USD' }, { currency: 'usd' })).toBe(false);
    expect(holds({ path: 'amount', eq: 100 }, { amount: '100' })).toBe(true);
    expect(holds({ path: 'urgent', eq: true }, { urgent: true })).toBe(true);
    expect(holds({ path: 'note', eq: null }, { note: null })).toBe(true);
    expect(holds({ path: 'currency', ne: 'USD' }, { currency: 'EUR' })).toBe(true);
    expect(holds({ path: 'currency', ne: 'USD' }, { currency: 'USD' })).toBe(false);
    expect(holds({ path: 'currency', ne: 'USD' }, {})).toBe(true);
  });

  it('lt, lte, gt and gte compare numbers and numeric strings, and fail on anything else', () => {
    expect(holds({ path: 'amount', lt: 100 }, { amount: 99 })).toBe(true);
    expect(holds({ path: 'amount', lt: 100 }, { amount: 100 })).toBe(false);
    expect(holds({ path: 'amount', lte: 100 }, { amount: 100 })).toBe(true);
    expect(holds({ path: 'amount', gt: 100 }, { amount: 100.5 })).toBe(true);
    expect(holds({ path: 'amount', gt: 100 }, { amount: 100 })).toBe(false);
    expect(holds({ path: 'amount', gte: 100 }, { amount: 100 })).toBe(true);
    expect(holds({ path: 'amount', gt: 100 }, { amount: '150' })).toBe(true);
    expect(holds({ path: 'amount', gt: 100 }, { amount: '150 dollars' })).toBe(false);
    expect(holds({ path: 'amount', gt: 100 }, {})).toBe(false);
    expect(holds({ path: 'amount', gt: 100, lte: 500 }, { amount: 600 })).toBe(false);
  });

  it('in checks membership of a list', () => {
    expect(holds({ path: 'country', in: ['US', 'CA'] }, { country: 'CA' })).toBe(true);
    expect(holds({ path: 'country', in: ['US', 'CA'] }, { country: 'FR' })).toBe(false);
    expect(holds({ path: 'level', in: [1, 2] }, { level: '2' })).toBe(true);
  });

  it('matches tests a regular expression against strings and numbers', () => {
    expect(holds({ path: 'to', matches: '@shop\\.example$' }, { to: 'bob@shop.example' })).toBe(true);
    expect(holds({ path: 'to', matches: '@shop\\.example$' }, { to: 'bob@evil.example' })).toBe(false);
    expect(holds({ path: 'code', matches: '^4\\d\\d$' }, { code: 404 })).toBe(true);
    expect(holds({ path: 'to', matches: '.*' }, { to: { nested: true } })).toBe(false);
  });

  it('all, any and not combine conditions', () => {
    const large = { path: 'amount', gt: 100 };
    const usd = { path: 'currency', eq: 'USD' };
    expect(holds({ all: [large, usd] }, { amount: 150, currency: 'USD' })).toBe(true);
    expect(holds({ all: [large, usd] }, { amount: 150, currency: 'EUR' })).toBe(false);
    expect(holds({ any: [large, usd] }, { amount: 5, currency: 'USD' })).toBe(true);
    expect(holds({ any: [large, usd] }, { amount: 5, currency: 'EUR' })).toBe(false);
    expect(holds({ not: usd }, { currency: 'EUR' })).toBe(true);
    expect(holds({ not: { any: [large, usd] } }, { amount: 5, currency: 'EUR' })).toBe(true);
  });

  it('a JavaScript-looking string is only ever a string', () => {
    (globalThis as Record<string, unknown>).policyTestSideEffect = false;
    const code = 'globalThis.policyTestSideEffect = true';
    expect(holds({ path: 'note', eq: code }, { note: code })).toBe(true);
    expect(holds({ path: 'note', eq: code }, { note: 'true' })).toBe(false);
    expect(holds({ path: 'constructor.constructor', eq: 'function' }, {})).toBe(false);
    expect(holds({ path: 'amount', gt: 0 }, { amount: '(() => 1)()' })).toBe(false);
    expect(describeCondition({ path: 'note', eq: code })).toBe(`note == "${code}"`);
    expect((globalThis as Record<string, unknown>).policyTestSideEffect).toBe(false);
  });

  it('describes conditions the way a person reads them and lists the paths they read', () => {
    const condition: ArgumentCondition = { all: [{ path: 'amount', gt: 100 }, { not: { path: 'country', in: ['US', 'CA'] } }, { path: 'to', matches: '^a' }] };
    expect(describeCondition(condition)).toBe('(amount > 100 and not country in ["US","CA"] and to matches /^a/)');
    expect(conditionPaths(condition)).toEqual(['amount', 'country', 'to']);
  });
});

describe('reading conditions from a policy document', () => {
  it('accepts every operator and combination', () => {
    const { condition, issues } = read({ any: [{ path: 'a', eq: 1, ne: 2, lt: 3, lte: 4, gt: 0, gte: 0, in: [1], matches: 'x' }, { not: { path: 'b.c[0]', eq: null } }] });
    expect(issues).toEqual([]);
    expect(condition).toBeDefined();
  });

  it('rejects an invalid regular expression with the reason', () => {
    const { condition, issues } = read({ path: 'to', matches: '([a-z' });
    expect(condition).toBeUndefined();
    expect(issues[0]?.at).toEqual(['when', 'matches']);
    expect(issues[0]?.message).toMatch(/invalid regular expression/);
  });

  it('rejects a pattern longer than the size bound', () => {
    const { issues } = read({ path: 'to', matches: 'a'.repeat(MAX_PATTERN_LENGTH + 1) });
    expect(issues[0]?.message).toMatch(/at most 512/);
  });

  it('names unknown operators, wrong operand types and missing paths', () => {
    const { issues } = read({ all: [{ path: 'amount', greater: 5 }, { path: 'amount', gt: '100' }, { eq: 1 }, { path: 'x', in: [] }] });
    expect(issues.map((i) => [i.at.join('/'), i.message.split(';')[0]])).toEqual([
      ['when/all/0/greater', 'unknown operator "greater"'],
      ['when/all/0', 'a comparison needs an operator: one of eq, ne, lt, lte, gt, gte, in, matches'],
      ['when/all/1/gt', 'gt compares with a number, got "100"'],
      ['when/all/2/path', 'an argument path such as amount, customer.id or items[0].sku is required, got nothing'],
      ['when/all/3/in', 'in takes a non-empty list of strings, numbers, booleans or null'],
    ]);
  });

  it('requires a combinator to stand alone', () => {
    const { issues } = read({ all: [{ path: 'a', eq: 1 }], path: 'b' });
    expect(issues[0]?.message).toMatch(/"all" must be the only key/);
  });
});
