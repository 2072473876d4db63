// Which element of a virtual list shows which row. A row keeps its element while it stays drawn,
// so scrolling by a few rows rewrites (and moves) only the elements of the rows that arrive; the
// elements of rows that left show the arriving ones, so nothing is destroyed and rebuilt. When a long
// jump replaces every row, the elements keep their order and are rewritten in place, none moved.

export interface RowSlot {
  /** The element's stable id: the key of the each-block that draws it. */
  id: number;
  /** The row it shows. */
  row: number;
}

export class RowSlots {
  #slots: RowSlot[] = [];
  #nextId = 0;

  /** Slots for `rows` (ascending, as drawn), in the same order. */
  assign(rows: readonly number[]): RowSlot[] {
    const byRow = new Map(this.#slots.map((slot) => [slot.row, slot]));
    const drawn = new Set(rows);
    // Freed in drawing order, so a jump hands them out in the order they already stand.
    const free = this.#slots.filter((slot) => !drawn.has(slot.row)).map((slot) => slot.id);
    let nextFree = 0;
    this.#slots = rows.map((row) => byRow.get(row) ?? { id: free[nextFree++] ?? this.#nextId++, row });
    return this.#slots;
  }
}
