import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentRun, newTraceId } from './agent-run-fixture.ts';
import { openWriterDatabase } from './migrate.ts';
import { ftsQuery, MANY_MATCHES, StoreReader } from './queries.ts';
import { SpanWriter } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-queries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

describe('text search', () => {
  it('keeps an id joined by punctuation as one phrase and drops lone one-letter words', () => {
    expect(ftsQuery('A-y65qz')).toBe('"A y65qz"*');
    expect(ftsQuery('a refund for A-y65qz')).toBe('"refund"* "for"* "A y65qz"*');
    expect(ftsQuery('a')).toBe('"a"*');
  });

  it('pages through many matches newest first exactly as a plain scan would', () => {
    const db = openWriterDatabase(join(dir, 'search.db'));
    try {
      const writer = new SpanWriter(db);
      // Every run says "roaming" (many matches); every 7th also "walrus"; one holds an order id.
      for (let i = 0; i < 400; i++) {
        const words = `${i % 7 === 0 ? 'walrus ' : ''}roaming order ${i === 123 ? 'A-y65qz' : `B-${i}x`}`;
        writer.writeSpans(agentRun({ traceId: newTraceId(), startMs: T0 + ((i * 37) % 400) * 1000, steps: 1, question: words }));
      }
      // Small slices, so that a page needs several of them and the fallback after them.
      const reader = new StoreReader(db, { searchSlices: [16, 64] });
      const refs = (q: string) =>
        (db.prepare('SELECT count(*) AS n FROM content_refs WHERE content_id IN (SELECT rowid FROM content_fts WHERE content_fts MATCH ?)').get(ftsQuery(q)) as { n: number }).n;
      expect(refs('roaming')).toBeGreaterThanOrEqual(MANY_MATCHES);
      expect(refs('walrus')).toBeLessThan(MANY_MATCHES);

      const expected = (q: string) =>
        (db
          .prepare(`SELECT trace_id FROM runs WHERE id IN (SELECT run_id FROM content_refs WHERE content_id IN
            (SELECT rowid FROM content_fts WHERE content_fts MATCH ?)) ORDER BY start_ns DESC, trace_id DESC`)
          .all(ftsQuery(q)) as { trace_id: string }[]).map((row) => row.trace_id);
      const paged = (q: string, limit: number) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = reader.listRuns({ q, limit, cursor });
          ids.push(...page.runs.map((run) => run.traceId));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return ids;
      };
      for (const q of ['roaming', 'walrus', 'roaming walrus']) {
        expect(paged(q, 50)).toEqual(expected(q));
        expect(paged(q, 500)).toEqual(expected(q));
      }
      // With the default slices too (larger than the table: one walk, then the plain plan).
      expect(new StoreReader(db).listRuns({ q: 'roaming', limit: 30 }).runs.map((run) => run.traceId)).toEqual(expected('roaming').slice(0, 30));
      expect(expected('roaming')).toHaveLength(400);
      expect(reader.listRuns({ q: 'A-y65qz' }).runs).toHaveLength(1);
      const inWindow = db
        .prepare('SELECT trace_id FROM runs WHERE start_ns >= ? AND start_ns < ? ORDER BY start_ns DESC, trace_id DESC')
        .all(BigInt(T0 + 100_000) * 1_000_000n, BigInt(T0 + 200_000) * 1_000_000n) as { trace_id: string }[];
      const found = reader.listRuns({ q: 'roaming', from: T0 + 100_000, to: T0 + 200_000, limit: 20 }).runs;
      expect(found.map((run) => run.traceId)).toEqual(inWindow.map((row) => row.trace_id).slice(0, 20));
    } finally {
      db.close();
    }
  });
});
