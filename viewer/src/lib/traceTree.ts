// The span tree of one trace, built once into a flat list in display order (depth-first, children
// by start time), as Jaeger UI does (model/transform-trace-data.ts). Collapsing and scrolling then
// work on indexes into this list, so nothing is rebuilt per frame or per click.
import type { Span } from '@runlens/schema';

export interface TreeRow {
  span: Span;
  /** Position in the flat list. */
  index: number;
  depth: number;
  /** Index of the parent row, or -1 for a root (or a span whose parent never arrived). */
  parentIndex: number;
  childCount: number;
  /** Size of the subtree under this row, so a collapsed subtree is skipped in one step. */
  descendantCount: number;
  /** This span or one below it has an error status. */
  subtreeHasError: boolean;
}

export interface TraceTree {
  rows: TreeRow[];
  byId: Map<string, number>;
  /** Earliest start and latest end over all spans, epoch ms. */
  start: number;
  end: number;
}

export function buildTraceTree(spans: readonly Span[]): TraceTree {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const span of spans) {
    // A parent that never arrived (or a self-reference) makes the span a root rather than dropping it.
    const parent = span.parentSpanId && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(span);
  }
  const byStart = (a: Span, b: Span) => a.startTime - b.startTime || a.name.localeCompare(b.name);
  for (const list of children.values()) list.sort(byStart);

  const rows: TreeRow[] = [];
  const byId = new Map<string, number>();
  // Iterative depth-first walk: a deep chain of 10,000 spans must not overflow the call stack.
  const stack: { span: Span; depth: number; parentIndex: number }[] = [];
  const roots = children.get(null) ?? [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ span: roots[i]!, depth: 0, parentIndex: -1 });
  const visited = new Set<string>();
  while (stack.length > 0) {
    const { span, depth, parentIndex } = stack.pop()!;
    if (visited.has(span.spanId)) continue; // duplicate ids or cycles: show each span once
    visited.add(span.spanId);
    const index = rows.length;
    const kids = children.get(span.spanId) ?? [];
    rows.push({ span, index, depth, parentIndex, childCount: 0, descendantCount: 0, subtreeHasError: span.status === 'error' });
    byId.set(span.spanId, index);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1, parentIndex: index });
  }
  // Spans caught in a parent cycle are unreachable from any root; append them as roots.
  for (const span of spans) {
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    const index = rows.length;
    rows.push({ span, index, depth: 0, parentIndex: -1, childCount: 0, descendantCount: 0, subtreeHasError: span.status === 'error' });
    byId.set(span.spanId, index);
  }
  // Children come after their parent in the list, so one backward pass sums subtrees.
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row.parentIndex < 0) continue;
    const parent = rows[row.parentIndex]!;
    parent.childCount += 1;
    parent.descendantCount += row.descendantCount + 1;
    if (row.subtreeHasError) parent.subtreeHasError = true;
  }

  let start = Infinity;
  let end = -Infinity;
  for (const span of spans) {
    if (span.startTime < start) start = span.startTime;
    const spanEnd = span.startTime + Math.max(0, span.durationMs);
    if (spanEnd > end) end = spanEnd;
  }
  if (!Number.isFinite(start)) start = end = 0;
  return { rows, byId, start, end };
}

/**
 * Indexes of the rows on display given the collapsed rows: one pass that jumps over every
 * collapsed subtree (Jaeger UI, generateRowStates.ts).
 */
export function visibleRowIndexes(rows: readonly TreeRow[], collapsed: ReadonlySet<number>): number[] {
  const visible: number[] = [];
  let i = 0;
  while (i < rows.length) {
    visible.push(i);
    i += collapsed.has(i) ? rows[i]!.descendantCount + 1 : 1;
  }
  return visible;
}

/** Every ancestor of a row, nearest first: expanding them makes the row visible. */
export function ancestorsOf(rows: readonly TreeRow[], index: number): number[] {
  const result: number[] = [];
  let parent = rows[index]?.parentIndex ?? -1;
  while (parent >= 0) {
    result.push(parent);
    parent = rows[parent]!.parentIndex;
  }
  return result;
}
