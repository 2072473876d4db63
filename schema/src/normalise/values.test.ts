import { describe, expect, it } from 'vitest';
import { MAX_FLATTENED_INDEX, parseJsonValue, unflattenIndexed } from './values.ts';

describe('unflattenIndexed', () => {
  it('rebuilds nested lists and objects from indexed keys', () => {
    expect(
      unflattenIndexed([
        ['0.message.role', 'assistant'],
        ['0.message.tool_calls.0.tool_call.id', 'call_1'],
        ['0.message.tool_calls.1.tool_call.id', 'call_2'],
        ['1.message.role', 'user'],
      ]),
    ).toEqual([{ message: { role: 'assistant', tool_calls: [{ tool_call: { id: 'call_1' } }, { tool_call: { id: 'call_2' } }] } }, { message: { role: 'user' } }]);
  });

  it('drops the holes of a sparse index sequence, keeping order', () => {
    expect(unflattenIndexed([['3.role', 'c'], ['0.role', 'a']])).toEqual([{ role: 'a' }, { role: 'c' }]);
  });

  it('ignores indices beyond the bound and keys that would pollute prototypes', () => {
    const list = unflattenIndexed([
      [`${MAX_FLATTENED_INDEX + 1}.role`, 'x'],
      ['0.__proto__.polluted', 'yes'],
      ['0.role', 'user'],
    ]);
    expect(list).toEqual([{ role: 'user' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseJsonValue', () => {
  it('parses JSON objects and arrays, keeps other text as is', () => {
    expect(parseJsonValue('  {"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonValue('[1, 2]')).toEqual([1, 2]);
    expect(parseJsonValue('42')).toBe('42');
    expect(parseJsonValue('{not json')).toBe('{not json');
    expect(parseJsonValue(7)).toBe(7);
  });
});
