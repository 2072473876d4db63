import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { RetentionConfig } from '../config.ts';
import { agentRun, newTraceId, type AgentRunOptions } from './agent-run-fixture.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
let files = 0;

function retention(overrides: Partial<RetentionConfig>): RetentionConfig {
  return { maxAgeMs: 30 * DAY, contentMaxAgeMs: null, rules: [], maxDbBytes: null, intervalMs: 60_000, ...overrides };
}

async function storeWith(config: RetentionConfig, runs: Record<string, Omit<AgentRunOptions, 'traceId'>>) {
  const path = join(dir, `retention-${++files}.db`);
  const store = await openSqliteStore({ path, retention: config, maxQueuedSpans: 100_000, pruneBatchRuns: 3 });
  const ids: Record<string, string> = {};
  for (const [name, options] of Object.entries(runs)) {
    ids[name] = newTraceId();
    await store.write(agentRun({ ...options, traceId: ids[name] }));
  }
  const present = () =>
    Object.entries(ids)
      .filter(([, id]) => store.getTrace(id) !== null)
      .map(([name]) => name)
      .sort();
  return { store, ids, present, path };
}

function totalRuns(store: Store): number {
  const all = store.metrics({ from: NOW - 400 * DAY, to: NOW + DAY, step: 401 * DAY });
  return all.series.reduce((sum, s) => sum + s.points.reduce((n, p) => n + p.runs, 0), 0);
}

describe('retention', () => {
  it('deletes what the first matching rule says is expired, and nothing newer', async () => {
    const config = retention({
      maxAgeMs: 30 * DAY,
      rules: [
        { outcome: 'failure', maxAgeMs: 90 * DAY },
        { service: 'billing', maxAgeMs: 1 * DAY },
      ],
    });
    const { store, present } = await storeWith(config, {
      supportNew: { startMs: NOW - 10 * DAY, service: 'support' },
      supportOld: { startMs: NOW - 40 * DAY, service: 'support' },
      failureOld: { startMs: NOW - 40 * DAY, service: 'support', error: 'boom' },
      failureAncient: { startMs: NOW - 100 * DAY, service: 'support', error: 'boom' },
      // A billing failure matches the failure rule first: kept for 90 days.
      billingFailure: { startMs: NOW - 10 * DAY, service: 'billing', error: 'boom' },
      billingOld: { startMs: NOW - 2 * DAY, service: 'billing' },
      billingNew: { startMs: NOW - 2 * 3_600_000, service: 'billing' },
      supportAncient: { startMs: NOW - 50 * DAY, service: 'support' },
    });
    try {
      const before = store.stats();
      const report = await store.prune({ dryRun: false, now: NOW });
      expect(present()).toEqual(['billingFailure', 'billingNew', 'failureOld', 'supportNew']);
      expect(report).toMatchObject({ dryRun: false, runsDeleted: 4, spansDeleted: 24 });
      expect(store.stats()).toMatchObject({ runs: before.runs - 4, spans: before.spans - 24 });
      // Rollups outlive the raw runs they summarise.
      expect(totalRuns(store)).toBe(8);
      // A second prune finds nothing more to do.
      expect(await store.prune({ dryRun: false, now: NOW })).toMatchObject({ runsDeleted: 0, spansDeleted: 0 });
    } finally {
      await store.close();
    }
  });

  it('a dry run reports what a prune would remove and changes nothing', async () => {
    const config = retention({ maxAgeMs: 30 * DAY, contentMaxAgeMs: 7 * DAY, rules: [{ service: 'billing', maxAgeMs: DAY }] });
    const runs = {
      old: { startMs: NOW - 40 * DAY },
      billing: { startMs: NOW - 3 * DAY, service: 'billing' },
      week: { startMs: NOW - 8 * DAY },
      fresh: { startMs: NOW - DAY },
    };
    const { store, present, path } = await storeWith(config, runs);
    try {
      const before = snapshot(path);
      const plan = await store.prune({ dryRun: true, now: NOW });
      expect(snapshot(path)).toEqual(before);
      expect(present()).toEqual(['billing', 'fresh', 'old', 'week']);
      expect(plan).toMatchObject({ dryRun: true, runsDeleted: 2, spansDeleted: 12, contentsDropped: 5 });

      const done = await store.prune({ dryRun: false, now: NOW });
      expect(done).toMatchObject({ dryRun: false, runsDeleted: plan.runsDeleted, spansDeleted: plan.spansDeleted, contentsDropped: plan.contentsDropped });
    } finally {
      await store.close();
    }
  });

  it('drops inputs and outputs past their age but keeps the run and its metrics', async () => {
    const config = retention({ contentMaxAgeMs: 7 * DAY });
    const { store, ids, path } = await storeWith(config, {
      old: { startMs: NOW - 10 * DAY, question: 'a question about quokkas' },
      fresh: { startMs: NOW - DAY, question: 'a question about wombats' },
    });
    try {
      const oldBefore = store.getTrace(ids.old!)!;
      expect(store.listRuns({ q: 'quokkas' }).runs).toHaveLength(1);
      const contentsBefore = count(path, 'contents');

      const report = await store.prune({ dryRun: false, now: NOW });
      expect(report).toMatchObject({ runsDeleted: 0, contentsDropped: 5 });

      const old = store.getTrace(ids.old!)!;
      expect(old.run).toEqual(oldBefore.run);
      for (const span of old.spans) {
        expect(span.input).toBeNull();
        expect(span.output).toBeNull();
        expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
        expect(span.attributes['gen_ai.tool.call.result']).toBeUndefined();
      }
      // Short attributes and normalised columns stay.
      expect(old.spans[1]!.attributes['gen_ai.usage.input_tokens']).toBe(900);
      expect(old.spans[1]!.inputTokens).toBe(900);
      expect(store.listRuns({ q: 'quokkas' }).runs).toHaveLength(0);
      expect(count(path, 'contents')).toBeLessThan(contentsBefore);

      // The newer run and the contents it shares with the old one are untouched.
      const fresh = store.getTrace(ids.fresh!)!;
      expect(JSON.stringify(fresh.spans[1]!.input)).toContain('wombats');
      expect(JSON.stringify(fresh.spans[1]!.input)).toContain('Acme Telecom');
      expect(store.listRuns({ q: 'wombats' }).runs).toHaveLength(1);
      expect(totalRuns(store)).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('deletes the oldest runs until the database fits its size cap, and gives the space back', async () => {
    const runs: Record<string, Omit<AgentRunOptions, 'traceId'>> = {};
    for (let i = 0; i < 60; i++) runs[`run${String(i).padStart(2, '0')}`] = { startMs: NOW - DAY + i * 60_000, steps: 6 };
    const { store, present, path } = await storeWith(retention({}), runs);
    await store.close();
    const fullBytes = pageBytes(path);

    const cap = Math.round(fullBytes * 0.6);
    const capped = await openSqliteStore({ path, retention: retention({ maxDbBytes: cap }), maxQueuedSpans: 1000, pruneBatchRuns: 5 });
    try {
      const report = await capped.prune({ dryRun: false, now: NOW });
      expect(report.runsDeleted).toBeGreaterThan(0);
      expect(report.bytesAfter).toBeLessThanOrEqual(cap);
      expect(report.bytesBefore).toBeGreaterThan(cap);
      const remaining = capped.listRuns({ limit: 500 }).runs;
      expect(remaining.length).toBe(60 - report.runsDeleted);
      // The oldest went first: what remains is the newest, in one block.
      const oldestKept = Math.min(...remaining.map((r) => r.startTime));
      expect(oldestKept).toBe(NOW - DAY + report.runsDeleted * 60_000);
      expect(totalRuns(capped)).toBe(60);
    } finally {
      await capped.close();
    }
    // incremental_vacuum returned the free pages: the file itself shrank.
    expect(pageBytes(path)).toBeLessThanOrEqual(cap);
    void present;
  });

  it('lets writes through while a long prune is under way', async () => {
    const runs: Record<string, Omit<AgentRunOptions, 'traceId'>> = {};
    for (let i = 0; i < 120; i++) runs[`r${i}`] = { startMs: NOW - 60 * DAY + i, steps: 1 };
    const { store } = await storeWith(retention({}), runs);
    try {
      // Batches of 3 runs: the prune takes 40 steps, and a write waits for one step at most.
      const pruning = store.prune({ dryRun: false, now: NOW });
      const traceId = newTraceId();
      await store.write(agentRun({ traceId, startMs: NOW, steps: 1 }));
      const report = await pruning;
      expect(report.runsDeleted).toBe(120);
      expect(store.getTrace(traceId)).not.toBeNull();
      expect(store.stats().runs).toBe(1);
    } finally {
      await store.close();
    }
  });
});

function snapshot(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      runs: db.prepare('SELECT trace_id, span_count FROM runs ORDER BY trace_id').all(),
      spans: count(path, 'spans'),
      contents: count(path, 'contents'),
      payloads: db.prepare('SELECT count(*) AS n FROM spans WHERE payload IS NOT NULL').get(),
    };
  } finally {
    db.close();
  }
}

function count(path: string, table: 'spans' | 'contents'): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function pageBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}
