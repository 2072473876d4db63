// Retention, run by the writer: delete runs past their age (first matching rule wins, else the
// default), drop old inputs and outputs while keeping metrics, keep the database under its size
// cap by deleting the oldest runs, then give the space back. Work is cut into small
// transactions so writes wait at most one step; rollups are never touched.
import type Database from 'better-sqlite3';
import type { RetentionConfig } from '../config.ts';
import type { ContentWriter } from './contents.ts';
import { payloadContentIds } from './span-rows.ts';
import type { PruneReport } from './store.ts';

/**
 * Most runs per transaction. Measured on this machine (2 cores, load average 6): a step of 50
 * six-span runs takes 6-10 ms, one of 200 takes 27-300 ms, most of it writing the pages the
 * deletes dirtied at commit.
 */
export const PRUNE_BATCH_RUNS = 50;
/** A step stops taking runs after this long, so that runs of thousands of spans keep it short too. */
const STEP_BUDGET_MS = 3;
/** Pages given back to the file system per incremental_vacuum step (1 MiB of 4 KiB pages). */
const VACUUM_PAGES_PER_STEP = 256;

const NS_PER_MS = 1_000_000n;

interface RunToDelete {
  id: number;
  trace_id: string;
}

/** The SQL condition "this run is past its age" for the rules, with its parameters. */
function expiryCondition(retention: RetentionConfig, nowNs: bigint, table = ''): { sql: string; params: unknown[] } {
  const column = (name: string) => (table ? `${table}.${name}` : name);
  const cutoff = (maxAgeMs: number) => nowNs - BigInt(Math.round(maxAgeMs)) * NS_PER_MS;
  const whens: string[] = [];
  const params: unknown[] = [];
  let latestCutoff = cutoff(retention.maxAgeMs);
  for (const rule of retention.rules) {
    const tests: string[] = [];
    if (rule.service !== undefined) {
      tests.push(`${column('service')} = ?`);
      params.push(rule.service);
    }
    if (rule.outcome !== undefined) {
      tests.push(`${column('outcome')} = ?`);
      params.push(rule.outcome);
    }
    whens.push(`WHEN ${tests.join(' AND ')} THEN ?`);
    params.push(cutoff(rule.maxAgeMs));
    if (cutoff(rule.maxAgeMs) > latestCutoff) latestCutoff = cutoff(rule.maxAgeMs);
  }
  params.push(cutoff(retention.maxAgeMs));
  const start = column('start_ns');
  // The first bound lets SQLite walk the start index; the CASE picks each run's own cutoff.
  const sql = `${start} < ? AND ` + (whens.length === 0 ? `${start} < ?` : `${start} < CASE ${whens.join(' ')} ELSE ? END`);
  return { sql, params: [latestCutoff, ...params] };
}

/**
 * What a prune at `now` would remove, from reads only: it runs on the read connection and
 * never holds up writes. The size cap's share is estimated from the average size of a span.
 */
export function planPrune(db: Database.Database, retention: RetentionConfig, now: number): PruneReport {
  const nowNs = BigInt(Math.round(now)) * NS_PER_MS;
  const expiry = expiryCondition(retention, nowNs);
  const bytesBefore = usedBytes(db);
  const expired = db
    .prepare<unknown[], { runs: number; spans: number | null }>(
      `SELECT count(*) AS runs, sum(span_count) AS spans FROM runs WHERE ${expiry.sql}`,
    )
    .get(...expiry.params)!;
  const report: PruneReport = {
    dryRun: true,
    runsDeleted: expired.runs,
    spansDeleted: expired.spans ?? 0,
    contentsDropped: 0,
    bytesBefore,
    bytesAfter: bytesBefore,
  };
  if (retention.contentMaxAgeMs !== null) {
    const cutoff = nowNs - BigInt(Math.round(retention.contentMaxAgeMs)) * NS_PER_MS;
    const expiredRun = expiryCondition(retention, nowNs, 'r');
    report.contentsDropped = (
      db
        .prepare<unknown[], { n: number }>(
          `SELECT count(*) AS n FROM runs r INDEXED BY runs_with_contents JOIN spans s ON s.run_id = r.id
           WHERE r.content_dropped = 0 AND r.start_ns < ? AND NOT (${expiredRun.sql})
             AND s.payload IS NOT NULL`,
        )
        .get(cutoff, ...expiredRun.params)!
    ).n;
  }
  const totals = db.prepare<[], { spans: number; runs: number }>('SELECT spans, runs FROM totals').get()!;
  // Estimated from the average size of a span: exact sizes would need the deletes themselves.
  const bytesPerSpan = totals.spans > 0 ? bytesBefore / totals.spans : 0;
  let estimate = bytesBefore - report.spansDeleted * bytesPerSpan;
  if (retention.maxDbBytes !== null && estimate > retention.maxDbBytes) {
    const oldest = db
      .prepare<unknown[], { span_count: number }>(`SELECT span_count FROM runs WHERE NOT (${expiry.sql}) ORDER BY start_ns`)
      .iterate(...expiry.params);
    for (const run of oldest) {
      if (estimate <= retention.maxDbBytes) break;
      report.runsDeleted++;
      report.spansDeleted += run.span_count;
      estimate -= run.span_count * bytesPerSpan;
    }
  }
  report.bytesAfter = Math.max(0, Math.round(estimate));
  return report;
}

/** Bytes in use: pages holding data (free pages are reclaimable). */
export function usedBytes(db: Database.Database): number {
  const { pages, free, size } = db
    .prepare<[], { pages: number; free: number; size: number }>(
      'SELECT p.page_count AS pages, f.freelist_count AS free, s.page_size AS size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s',
    )
    .get()!;
  return (pages - free) * size;
}

export class Pruner {
  readonly #db: Database.Database;
  readonly #contents: ContentWriter;
  readonly #retention: RetentionConfig;
  readonly #batchRuns: number;
  readonly #oldestRuns;
  readonly #spanRefs;
  readonly #deleteRef;
  readonly #deleteSpans;
  readonly #deleteRun;
  readonly #deleteEvaluations;
  readonly #subtractTotals;
  readonly #runsWithContents;
  readonly #dropPayloads;
  readonly #markDropped;

  constructor(db: Database.Database, contents: ContentWriter, retention: RetentionConfig, batchRuns = PRUNE_BATCH_RUNS) {
    this.#db = db;
    this.#contents = contents;
    this.#retention = retention;
    this.#batchRuns = batchRuns;
    this.#oldestRuns = db.prepare<[number], RunToDelete>('SELECT id, trace_id FROM runs ORDER BY start_ns LIMIT ?');
    this.#spanRefs = db.prepare<[number], { payload: string | null; resource_cid: number | null }>(
      'SELECT payload, resource_cid FROM spans WHERE run_id = ?',
    );
    this.#deleteRef = db.prepare<[number, number]>('DELETE FROM content_refs WHERE content_id = ? AND run_id = ?');
    this.#deleteSpans = db.prepare<[number]>('DELETE FROM spans WHERE run_id = ?');
    this.#deleteRun = db.prepare<[number], { span_count: number }>('DELETE FROM runs WHERE id = ? RETURNING span_count');
    this.#deleteEvaluations = db.prepare<[string]>('DELETE FROM evaluation_results WHERE trace_id = ?');
    this.#subtractTotals = db.prepare<[number, number]>('UPDATE totals SET spans = spans - ?, runs = runs - ? WHERE id = 1');
    this.#runsWithContents = db.prepare<[bigint, number], RunToDelete>(
      'SELECT id, trace_id FROM runs INDEXED BY runs_with_contents WHERE content_dropped = 0 AND start_ns < ? ORDER BY start_ns LIMIT ?',
    );
    this.#dropPayloads = db.prepare<[number]>(
      'UPDATE spans SET payload = NULL WHERE run_id = ? AND payload IS NOT NULL',
    );
    this.#markDropped = db.prepare<[number]>('UPDATE runs SET content_dropped = 1 WHERE id = ?');
  }

  /**
   * Applies the rules as a sequence of small transactions; the caller runs one step at a time
   * and lets writes through in between. Yields the report so far after each step.
   */
  *prune(now: number): Generator<PruneReport, PruneReport> {
    const nowNs = BigInt(Math.round(now)) * NS_PER_MS;
    const report: PruneReport = { dryRun: false, spansDeleted: 0, runsDeleted: 0, contentsDropped: 0, bytesBefore: usedBytes(this.#db), bytesAfter: 0 };
    const expiry = expiryCondition(this.#retention, nowNs);
    const expired = this.#db.prepare<unknown[], RunToDelete>(
      `SELECT id, trace_id FROM runs WHERE ${expiry.sql} ORDER BY start_ns LIMIT ?`,
    );

    for (;;) {
      const batch = expired.all(...expiry.params, this.#batchRuns);
      if (batch.length === 0) break;
      this.#db.transaction(() => this.#deleteRuns(batch, report))();
      yield report;
    }

    if (this.#retention.contentMaxAgeMs !== null) {
      const cutoff = nowNs - BigInt(Math.round(this.#retention.contentMaxAgeMs)) * NS_PER_MS;
      for (;;) {
        const batch = this.#runsWithContents.all(cutoff, this.#batchRuns);
        if (batch.length === 0) break;
        this.#db.transaction(() => this.#dropContents(batch, report))();
        yield report;
      }
    }

    if (this.#retention.maxDbBytes !== null) {
      while (usedBytes(this.#db) > this.#retention.maxDbBytes) {
        const batch = this.#oldestRuns.all(this.#batchRuns);
        if (batch.length === 0) break;
        this.#db.transaction(() => this.#deleteRuns(batch, report))();
        yield report;
      }
    }

    // Give freed pages back to the file system, a bounded number per step.
    while ((this.#db.pragma('freelist_count', { simple: true }) as number) > 0) {
      this.#db.pragma(`incremental_vacuum(${VACUUM_PAGES_PER_STEP})`);
      yield report;
    }
    report.bytesAfter = usedBytes(this.#db);
    return report;
  }

  #deleteRuns(batch: RunToDelete[], report: PruneReport): void {
    let spans = 0;
    let runs = 0;
    const released: number[] = [];
    const deadline = performance.now() + STEP_BUDGET_MS;
    for (const run of batch) {
      // The rest of the batch is picked up by the next step.
      if (runs > 0 && performance.now() > deadline) break;
      runs++;
      for (const cid of this.#contentIds(run.id, 'all').ids) {
        this.#deleteRef.run(cid, run.id);
        released.push(cid);
      }
      this.#deleteSpans.run(run.id);
      this.#deleteEvaluations.run(run.trace_id);
      spans += this.#deleteRun.get(run.id)?.span_count ?? 0;
    }
    this.#contents.deleteUnused(released);
    this.#subtractTotals.run(spans, runs);
    report.runsDeleted += runs;
    report.spansDeleted += spans;
  }

  #dropContents(batch: RunToDelete[], report: PruneReport): void {
    const released: number[] = [];
    const deadline = performance.now() + STEP_BUDGET_MS;
    for (const [i, run] of batch.entries()) {
      if (i > 0 && performance.now() > deadline) break;
      const { ids, payloadSpans } = this.#contentIds(run.id, 'payload');
      for (const cid of ids) {
        this.#deleteRef.run(cid, run.id);
        released.push(cid);
      }
      this.#dropPayloads.run(run.id);
      this.#markDropped.run(run.id);
      report.contentsDropped += payloadSpans;
    }
    this.#contents.deleteUnused(released);
  }

  /** Content ids a run's spans use: all of them, or only the payloads (not the resource). */
  #contentIds(runId: number, which: 'all' | 'payload'): { ids: Set<number>; payloadSpans: number } {
    const payload = new Set<number>();
    const resources = new Set<number>();
    let payloadSpans = 0;
    for (const row of this.#spanRefs.all(runId)) {
      for (const cid of payloadContentIds(row.payload)) payload.add(cid);
      if (row.resource_cid !== null) resources.add(row.resource_cid);
      if (row.payload !== null) payloadSpans++;
    }
    if (which === 'all') return { ids: new Set([...payload, ...resources]), payloadSpans };
    // A resource identical to a payload keeps its reference: the run still shows it.
    for (const cid of resources) payload.delete(cid);
    return { ids: payload, payloadSpans };
  }
}
