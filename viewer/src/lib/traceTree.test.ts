import { describe, expect, it } from 'vitest';
import type { Span } from '@runlens/schema';
import { ancestorsOf, buildTraceTree, visibleRowIndexes } from './traceTree.ts';

function span(spanId: string, parentSpanId: string | null, startTime: number, extra: Partial<Span> = {}): Span {
  return {
    traceId: 't', spanId, parentSpanId, name: spanId, kind: 'other', startTime, durationMs: 10, status: 'unset',
    statusMessage: null, service: null, model: null, provider: null, inputTokens: null, outputTokens: null,
    cachedTokens: null, costUsd: null, toolName: null, input: null, output: null, finishReason: null, errorType: null,
    attributes: {}, events: [], ...extra,
  };
}

describe('buildTraceTree', () => {
  it('flattens spans depth-first with children ordered by start time, whatever the arrival order', () => {
    const tree = buildTraceTree([
      span('tool', 'root', 30),
      span('chat2', 'root', 50),
      span('root', null, 0, { durationMs: 100 }),
      span('chat1', 'root', 5),
      span('inner', 'tool', 31),
    ]);
    expect(tree.rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ['root', 0], ['chat1', 1], ['tool', 1], ['inner', 2], ['chat2', 1],
    ]);
    expect(tree.rows[0]!.descendantCount).toBe(4);
    expect(tree.rows[0]!.childCount).toBe(3);
    expect(tree.rows[2]!.descendantCount).toBe(1);
    expect(tree.start).toBe(0);
    expect(tree.end).toBe(100);
    expect(tree.byId.get('inner')).toBe(3);
  });

  it('keeps a span whose parent never arrived, as a root', () => {
    const tree = buildTraceTree([span('root', null, 0), span('orphan', 'missing', 5)]);
    expect(tree.rows.map((r) => [r.span.spanId, r.depth, r.parentIndex])).toEqual([['root', 0, -1], ['orphan', 0, -1]]);
  });

  it('marks every ancestor of an error span', () => {
    const tree = buildTraceTree([
      span('root', null, 0), span('a', 'root', 1), span('b', 'a', 2, { status: 'error' }), span('c', 'root', 3),
    ]);
    expect(tree.rows.map((r) => [r.span.spanId, r.subtreeHasError])).toEqual([
      ['root', true], ['a', true], ['b', true], ['c', false],
    ]);
  });

  it('survives parent cycles and duplicate span ids', () => {
    const tree = buildTraceTree([span('a', 'b', 0), span('b', 'a', 1), span('a', 'b', 2)]);
    expect(tree.rows.map((r) => r.span.spanId).sort()).toEqual(['a', 'b']);
  });

  it('builds a chain 10,000 spans deep without overflowing the stack', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i));
    const tree = buildTraceTree(spans);
    expect(tree.rows).toHaveLength(10_000);
    expect(tree.rows[9_999]!.depth).toBe(9_999);
    expect(tree.rows[0]!.descendantCount).toBe(9_999);
  });
});

describe('visibleRowIndexes', () => {
  const tree = buildTraceTree([
    span('root', null, 0), span('a', 'root', 1), span('a1', 'a', 2), span('a2', 'a', 3), span('b', 'root', 4),
  ]);

  it('shows every row when nothing is collapsed', () => {
    expect(visibleRowIndexes(tree.rows, new Set())).toEqual([0, 1, 2, 3, 4]);
  });

  it('hides the subtree of a collapsed row but keeps the row itself', () => {
    expect(visibleRowIndexes(tree.rows, new Set([1]))).toEqual([0, 1, 4]);
    expect(visibleRowIndexes(tree.rows, new Set([0]))).toEqual([0]);
  });

  it('lists ancestors nearest first', () => {
    expect(ancestorsOf(tree.rows, 3)).toEqual([1, 0]);
    expect(ancestorsOf(tree.rows, 0)).toEqual([]);
  });
});
