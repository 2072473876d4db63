import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalisedSpan, Run } from '@runlens/schema';
import { DEFAULT_CONFIG } from '../config.ts';
import { agentRun, newTraceId } from './agent-run-fixture.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { StoreBusyError, StoreOpenError, StoreUnavailableError, type Store } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function dbPath(): string {
  return join(dir, `store-${++files}.db`);
}

function open(path = dbPath(), options: Partial<Parameters<typeof openSqliteStore>[0]> = {}): Promise<Store> {
  return openSqliteStore({ path, retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 100_000, ...options });
}

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

describe('writing spans', () => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it('a span sent twice is stored once', async () => {
    const traceId = newTraceId();
    const spans = agentRun({ traceId, startMs: T0, steps: 1 });
    const before = store.stats().spans;
    await store.write(spans);
    await store.write(spans.slice(0, 2));
    await Promise.all([store.write(spans), store.write(spans)]);
    const trace = store.getTrace(traceId)!;
    expect(trace.spans).toHaveLength(spans.length);
    expect(trace.run.spanCount).toBe(spans.length);
    expect(store.stats().spans - before).toBe(spans.length);
  });

  it('children that arrive before their parent in other writes give the right run', async () => {
    const traceId = newTraceId();
    const [root, ...children] = agentRun({ traceId, startMs: T0, steps: 2, agent: 'billing_agent', promptVersion: 'v7' });
    const changes: Run[][] = [];
    const unsubscribe = store.onRunsChanged((runs) => changes.push(runs.filter((r) => r.traceId === traceId)));

    await store.write(children.slice(2));
    expect(store.getTrace(traceId)!.run.outcome).toBe('running');
    await store.write(children.slice(0, 2));
    await store.write([root!]);
    unsubscribe();

    const run = store.getTrace(traceId)!.run;
    expect(run.outcome).toBe('success');
    expect(run.name).toBe('invoke_agent billing_agent');
    expect(run.agent).toBe('billing_agent');
    expect(run.versions.prompt).toBe('v7');
    expect(run.llmCalls).toBe(3);
    expect(run.toolCalls).toBe(2);
    expect(run.spanCount).toBe(6);
    expect(run.inputTokens).toBe(900 + 1150 + 1400);
    expect(run.startTime).toBe(T0);
    // Each commit told listeners about the run as it then stood.
    expect(changes.flat().map((r) => r.outcome)).toEqual(['running', 'running', 'success']);
  });

  it('a span write resolves only once its transaction is on disk', async () => {
    const traceId = newTraceId();
    await store.write(agentRun({ traceId, startMs: T0, steps: 1 }));
    // Another connection, as another process would have, sees the spans at once.
    const other = new Database(store.path, { readonly: true });
    try {
      const row = other.prepare('SELECT span_count FROM runs WHERE trace_id = ?').get(traceId) as { span_count: number };
      expect(row.span_count).toBe(4);
    } finally {
      other.close();
    }
  });

  it('restores a span as it was sent: attributes, events, input and output', async () => {
    const traceId = newTraceId();
    const spans = agentRun({ traceId, startMs: T0, steps: 1, escalation: 'customer asked for a human' });
    await store.write(spans);
    const trace = store.getTrace(traceId)!;
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    for (const sent of spans) {
      const stored = byId.get(sent.spanId)!;
      expect(stored.attributes).toEqual(sent.attributes);
      expect(stored.input).toEqual(sent.input ?? null);
      expect(stored.output).toEqual(sent.output ?? null);
      expect(stored.events).toEqual(sent.events);
      expect(stored.startTime).toBe(sent.startTime);
      expect(stored.durationMs).toBeCloseTo(sent.durationMs, 6);
      expect({ ...stored, attributes: null, input: null, output: null, events: null }).toEqual({
        ...pickSpan(sent),
        attributes: null,
        input: null,
        output: null,
        events: null,
        durationMs: stored.durationMs,
      });
    }
    expect(trace.run.outcome).toBe('escalated');
    expect(trace.run.outcomeReason).toBe('customer asked for a human');
    expect(trace.spans[0]!.spanId).toBe(spans[0]!.spanId);
  });

  it('rejects at once with StoreBusyError when the queue is over its bound', async () => {
    const path = dbPath();
    const small = await open(path, { maxQueuedSpans: 50 });
    try {
      const first = small.write(agentRun({ traceId: newTraceId(), startMs: T0, steps: 20 }));
      const second = small.write(agentRun({ traceId: newTraceId(), startMs: T0, steps: 20 }));
      await expect(second).rejects.toBeInstanceOf(StoreBusyError);
      await first;
      expect(small.stats().queueDepth).toBe(0);
      // Once the queue drained, writes are taken again.
      await small.write(agentRun({ traceId: newTraceId(), startMs: T0, steps: 1 }));
      expect(small.stats().runs).toBe(2);
    } finally {
      await small.close();
    }
  });

  it('shows evaluation results sent as log records as events on the judged span', async () => {
    const traceId = newTraceId();
    const spans = agentRun({ traceId, startMs: T0, steps: 1 });
    await store.write(spans);
    const judged = spans[1]!;
    const record = {
      timeUnixNano: BigInt(T0 + 5000) * 1_000_000n,
      eventName: 'gen_ai.evaluation.result',
      traceId,
      spanId: judged.spanId,
      body: null,
      attributes: { 'gen_ai.evaluation.name': 'no_refund_over_limit', 'gen_ai.evaluation.score.value': 1, 'gen_ai.evaluation.score.label': 'pass' },
      resource: {},
    };
    await store.writeEvaluations([record, record]);
    const events = store.getTrace(traceId)!.spans.find((s) => s.spanId === judged.spanId)!.events;
    expect(events).toEqual([{ name: 'gen_ai.evaluation.result', time: T0 + 5000, attributes: record.attributes }]);
  });
});

function pickSpan(span: NormalisedSpan) {
  const { startNs: _s, endNs: _e, otlpKind: _k, resource: _r, scope: _c, facts: _f, ...rest } = span;
  return rest;
}

describe('listing runs', () => {
  let store: Store;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    store = await open();
    const runs: [string, Parameters<typeof agentRun>[0]][] = [
      ['refund', { traceId: newTraceId(), startMs: T0, service: 'support', promptVersion: 'v1', userId: 'u_1', sessionId: 's_1', question: 'I want my money back for the broken router' }],
      ['roaming', { traceId: newTraceId(), startMs: T0 + 1000, service: 'support', promptVersion: 'v2', appVersion: '1.4.0', userId: 'u_2', question: 'Why was I charged for roaming in Lisbon?' }],
      ['failed', { traceId: newTraceId(), startMs: T0 + 2000, service: 'billing', model: 'claude-sonnet-4', error: 'tool timeout', question: 'Close my account' }],
      ['escalated', { traceId: newTraceId(), startMs: T0 + 3000, service: 'billing', agent: 'billing_agent', escalation: 'angry customer', question: 'The router exploded, money back NOW' }],
    ];
    for (const [name, options] of runs) {
      ids[name] = options.traceId;
      await store.write(agentRun(options));
    }
  });
  afterAll(() => store.close());

  const listed = (query: Parameters<Store['listRuns']>[0]) => store.listRuns(query).runs.map((r) => Object.entries(ids).find(([, id]) => id === r.traceId)![0]);

  it('lists runs newest first', () => {
    expect(listed({})).toEqual(['escalated', 'failed', 'roaming', 'refund']);
  });

  it('filters by every field of the query', () => {
    expect(listed({ service: 'billing' })).toEqual(['escalated', 'failed']);
    expect(listed({ agent: 'billing_agent' })).toEqual(['escalated']);
    expect(listed({ outcome: 'failure' })).toEqual(['failed']);
    expect(listed({ outcome: 'escalated' })).toEqual(['escalated']);
    expect(listed({ model: 'claude-sonnet-4' })).toEqual(['failed']);
    expect(listed({ version: 'v2' })).toEqual(['roaming']);
    expect(listed({ version: '1.4.0' })).toEqual(['roaming']);
    expect(listed({ version: 'claude-sonnet-4' })).toEqual(['failed']);
    expect(listed({ user: 'u_1' })).toEqual(['refund']);
    expect(listed({ session: 's_1' })).toEqual(['refund']);
    expect(listed({ from: T0 + 1000, to: T0 + 3000 })).toEqual(['failed', 'roaming']);
    expect(listed({ service: 'support', from: T0 + 500 })).toEqual(['roaming']);
  });

  it('searches the inputs and outputs', () => {
    expect(listed({ q: 'router' })).toEqual(['escalated', 'refund']);
    expect(listed({ q: 'charged roaming' })).toEqual(['roaming']);
    expect(listed({ q: 'broken rout' })).toEqual(['refund']);
    // Search text is never parsed as FTS5 syntax.
    expect(listed({ q: '"router" -(:*' })).toEqual(['escalated', 'refund']);
    expect(listed({ q: '"()' })).toEqual([]);
    expect(listed({ q: 'router', service: 'support' })).toEqual(['refund']);
    // The system prompt every run shares is found in all of them.
    expect(listed({ q: 'Acme Telecom' })).toHaveLength(4);
  });

  it('keeps pages stable while newer runs arrive', async () => {
    const first = store.listRuns({ limit: 2 });
    expect(first.runs.map((r) => r.traceId)).toEqual([ids.escalated, ids.failed]);
    await store.write(agentRun({ traceId: newTraceId(), startMs: T0 + 10_000 }));
    const second = store.listRuns({ limit: 2, cursor: first.nextCursor! });
    expect(second.runs.map((r) => r.traceId)).toEqual([ids.roaming, ids.refund]);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not issue', () => {
    expect(() => store.listRuns({ cursor: 'not-a-cursor' })).toThrow(RangeError);
  });

  it('walks every run exactly once across pages, ties in start time included', async () => {
    const path = dbPath();
    const paged = await open(path);
    try {
      const expected: string[] = [];
      for (let i = 0; i < 30; i++) {
        const traceId = newTraceId();
        expected.push(traceId);
        // Three runs share each start time.
        await paged.write(agentRun({ traceId, startMs: T0 + Math.floor(i / 3) * 1000, steps: 0 }));
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = paged.listRuns({ limit: 7, ...(cursor !== undefined && { cursor }) });
        seen.push(...page.runs.map((r) => r.traceId));
        cursor = page.nextCursor ?? undefined;
        // Runs arriving meanwhile, newer than the cursor, do not shift the pages.
        await paged.write(agentRun({ traceId: newTraceId(), startMs: T0 + HOUR, steps: 0 }));
      } while (cursor !== undefined);
      expect(seen.slice().sort()).toEqual(expected.slice().sort());
      expect(new Set(seen).size).toBe(30);
    } finally {
      await paged.close();
    }
  });
});

describe('metrics', () => {
  it('groups rollups by version with correct rates and percentiles', async () => {
    const store = await open();
    try {
      const v1Durations: number[] = [];
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const durationMs = 100 * (i + 1);
        v1Durations.push(durationMs);
        writes.push(
          store.write(
            agentRun({
              traceId: newTraceId(),
              startMs: T0 + (i % 10) * 60_000,
              promptVersion: 'v1',
              durationMs,
              error: i % 4 === 0 ? 'boom' : undefined,
              costPerCall: 0.01,
              toolError: i % 2 === 0,
            }),
          ),
        );
      }
      for (let i = 0; i < 20; i++) {
        writes.push(store.write(agentRun({ traceId: newTraceId(), startMs: T0 + 60_000 * i, promptVersion: 'v2', appVersion: '2.0.0', model: 'in-house-7b', durationMs: 500, escalation: 'why not' })));
      }
      // A run whose root has not arrived yet is not counted.
      writes.push(store.write(agentRun({ traceId: newTraceId(), startMs: T0, promptVersion: 'v1' }).slice(1)));
      await Promise.all(writes);

      const response = store.metrics({ from: T0, to: T0 + 20 * 60_000, step: 10 * 60_000, groupBy: 'version' });
      expect(response.step).toBe(600_000);
      const bySeries = new Map(response.series.map((s) => [s.group, s.points]));
      expect([...bySeries.keys()].sort()).toEqual(['prompt=v1', 'prompt=v2 app=2.0.0']);

      const [v1, v1Later] = bySeries.get('prompt=v1')!;
      expect(v1!.t).toBe(T0);
      expect(v1!.runs).toBe(100);
      expect(v1!.successRate).toBe(0.75);
      expect(v1!.toolErrorRate).toBeCloseTo(50 / 200, 10);
      expect(v1!.escalationRate).toBe(0);
      // Three llm calls at 0.01 each.
      expect(v1!.costPerRun).toBeCloseTo(0.03, 10);
      expect(v1!.costPerSuccess).toBeCloseTo(3 / 75, 10);
      expect(v1!.tokensPerRun).toBe(900 + 1150 + 1400 + 25 + 25 + 60);
      // Percentiles from the histogram are within 2% of the exact ones (nearest rank).
      expect(v1!.p50Ms! / 5000).toBeGreaterThan(0.98);
      expect(v1!.p50Ms! / 5000).toBeLessThan(1.02);
      expect(Math.abs(v1!.p95Ms! / 9500 - 1)).toBeLessThan(0.02);
      expect(Math.abs(v1!.p99Ms! / 9900 - 1)).toBeLessThan(0.02);
      expect(v1Later!.runs).toBe(0);
      expect(v1Later!.successRate).toBeNull();

      const [v2a, v2b] = bySeries.get('prompt=v2 app=2.0.0')!;
      expect(v2a!.runs).toBe(10);
      expect(v2b!.runs).toBe(10);
      expect(v2a!.escalationRate).toBe(1);
      expect(v2a!.successRate).toBe(0);
      // Unknown prices: the cost is not stated rather than guessed.
      expect(v2a!.costPerRun).toBeNull();
      expect(v2a!.costPerSuccess).toBeNull();

      expect(() => store.metrics({ from: T0, to: T0 + 60_000, step: 60_000, groupBy: 'constructor' as 'model' })).toThrow(RangeError);
      const all = store.metrics({ from: T0, to: T0 + 20 * 60_000, step: 20 * 60_000 });
      expect(all.series).toHaveLength(1);
      expect(all.series[0]!.group).toBeNull();
      expect(all.series[0]!.points[0]!.runs).toBe(120);
    } finally {
      await store.close();
    }
  });

  it('moves a run between rollup rows as its spans arrive', async () => {
    const store = await open();
    try {
      const traceId = newTraceId();
      const [root, ...children] = agentRun({ traceId, startMs: T0, durationMs: 1000, steps: 1 });
      // First the root alone: a finished run of one span. Then its children change its model and tokens.
      await store.write([root!]);
      const before = store.metrics({ from: T0, to: T0 + 60_000, step: 60_000, groupBy: 'model' });
      expect(before.series.map((s) => [s.group, s.points[0]!.runs])).toEqual([[null, 1]]);
      await store.write(children);
      const after = store.metrics({ from: T0, to: T0 + 60_000, step: 60_000, groupBy: 'model' });
      const runs = new Map(after.series.map((s) => [s.group, s.points[0]!.runs]));
      expect(runs.get('gpt-4o')).toBe(1);
      expect(runs.get(null) ?? 0).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('opening and closing', () => {
  it('keeps every acknowledged span across a restart', async () => {
    const path = dbPath();
    const store = await open(path);
    const traceIds = Array.from({ length: 20 }, () => newTraceId());
    await Promise.all(traceIds.map((traceId, i) => store.write(agentRun({ traceId, startMs: T0 + i, steps: 1 }))));
    // Writes still queued at close are drained, not dropped.
    const late = store.write(agentRun({ traceId: newTraceId(), startMs: T0 + 100, steps: 1 }));
    await store.close();
    await late;
    // A clean close folds the write-ahead log into the database file.
    expect(existsSync(`${path}-wal`)).toBe(false);

    const reopened = await open(path);
    try {
      expect(reopened.stats()).toMatchObject({ runs: 21, spans: 84, queueDepth: 0 });
      expect(reopened.getTrace(traceIds[7]!)!.spans).toHaveLength(4);
      expect(reopened.listRuns({ q: 'roaming' }).runs).toHaveLength(21);
    } finally {
      await reopened.close();
    }
  });

  it('says clearly when a file is not a database', async () => {
    const path = dbPath();
    writeFileSync(path, 'this is a text file, not SQLite '.repeat(200));
    const error = await open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/is not a Runlens database/);
  });

  it('refuses a database written by a newer version', async () => {
    const path = dbPath();
    const db = new Database(path);
    db.pragma('user_version = 99990');
    db.close();
    const error = await open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toMatch(/written by a newer Runlens \(schema version 99990/);
  });

  it('fails a write with StoreUnavailableError when the disk is full, and keeps working after', async () => {
    // max_page_count caps the file as a full disk would.
    const store = await open(dbPath(), { writerPragmas: { max_page_count: 120 } });
    try {
      const huge = agentRun({ traceId: newTraceId(), startMs: T0, steps: 200 });
      await expect(store.write(huge)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.write(huge)).rejects.toThrow(/disk is full/);
      const small = newTraceId();
      await store.write(agentRun({ traceId: small, startMs: T0, steps: 1 }));
      expect(store.getTrace(small)!.spans).toHaveLength(4);
      expect(store.stats().runs).toBe(1);
    } finally {
      await store.close();
    }
  });
});
