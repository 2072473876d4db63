// Which rows of a long list to draw for a scroll position. Rows have one fixed height (the
// waterfall's rows do), so positions are arithmetic; a few rows of overscan above and below keep
// fast scrolling from showing blanks before the next animation frame.

export interface VisibleWindow {
  /** First row to draw (inclusive) and last (exclusive). */
  start: number;
  end: number;
  /** Pixel offset of the first drawn row from the list top. */
  offsetTop: number;
  /** Height of the whole list, for the scroll spacer. */
  totalHeight: number;
}

export function visibleWindow(rowCount: number, rowHeight: number, scrollTop: number, viewportHeight: number, overscan = 8): VisibleWindow {
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, Math.min(rowCount - 1, first) - overscan);
  const end = Math.min(rowCount, last + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/**
 * The scrollTop that brings a row fully into view, or null if it already is. Used when the
 * keyboard moves the selection.
 */
export function scrollToReveal(rowIndex: number, rowHeight: number, scrollTop: number, viewportHeight: number): number | null {
  const top = rowIndex * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}
