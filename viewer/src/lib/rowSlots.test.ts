import { describe, expect, it } from 'vitest';
import { RowSlots } from './rowSlots.ts';

const range = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => start + i);
const ids = (slots: { id: number }[]) => slots.map((s) => s.id);

describe('RowSlots', () => {
  it('keeps a row in its slot while it stays drawn, and gives the slots of rows that left to rows that arrive', () => {
    const slots = new RowSlots();
    expect(ids(slots.assign(range(0, 5)))).toEqual([0, 1, 2, 3, 4]);
    // Two rows down: rows 2–4 keep slots 2–4; rows 5 and 6 take the slots of rows 0 and 1.
    expect(slots.assign(range(2, 7))).toEqual([
      { id: 2, row: 2 },
      { id: 3, row: 3 },
      { id: 4, row: 4 },
      { id: 0, row: 5 },
      { id: 1, row: 6 },
    ]);
    // And back up.
    expect(ids(slots.assign(range(0, 5)))).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps the slots in order when a jump replaces every row', () => {
    const slots = new RowSlots();
    slots.assign(range(0, 5));
    slots.assign(range(2, 7));
    expect(ids(slots.assign(range(100, 105)))).toEqual([2, 3, 4, 0, 1]);
  });

  it('adds slots when more rows are drawn and drops them when fewer are', () => {
    const slots = new RowSlots();
    slots.assign(range(0, 3));
    expect(ids(slots.assign(range(0, 5)))).toEqual([0, 1, 2, 3, 4]);
    expect(ids(slots.assign([1, 3]))).toEqual([1, 3]);
    expect(ids(slots.assign([1, 2, 3]))).toEqual([1, 5, 3]);
  });
});
