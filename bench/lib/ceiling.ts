// The ceiling: better-sqlite3 inserting the same rows into the same schema with nothing else in
// the way. The rows are what the store itself wrote for the workload (its SpanWriter, in-process,
// on decoded and normalised spans, timed too as "writer alone"): runs, spans, contents with their
// full-text rows, content refs, rollup rows. They are then replayed with plain prepared INSERTs in
// transactions of ~4096 spans (the collector's batch), same pragmas, into a fresh database or a
// copy of one already holding 2M spans. No HTTP, decoding, normalising, hashing or run derivation.
// Opening the database and copying the rows with a repetition's ids are outside the timing.
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { NormalisedSpan } from '@runlens/schema';
import { normaliseSpan } from '@runlens/schema';
import { decodeTraceRequest } from '../../collector/src/ingest/decode-traces.ts';
import { JSON_WIRE } from '../../collector/src/ingest/wire.ts';
import { decodeText, type Encoding as TextEncoding } from '../../collector/src/store/blob-codec.ts';
import { searchableText } from '../../collector/src/store/contents.ts';
import { openWriterDatabase } from '../../collector/src/store/migrate.ts';
import { SpanWriter } from '../../collector/src/store/writer.ts';
import type { BodyTemplate } from './workload.ts';

const BATCH_SPANS = 4096;

interface Table {
  columns: string[];
  rows: unknown[][];
}

export interface CeilingRows {
  spans: number;
  runs: Table;
  spansTable: Table;
  contents: Table;
  /** Full-text rows (content id → searchable text) for searchable contents. */
  fts: Map<number, string>;
  refs: Table;
  rollups: Table;
  keys: Table;
  /** The store's SpanWriter alone on the same spans, spans/s (a diagnostic, not the ceiling). */
  writerAloneSpansPerSecond: number;
}

/** Decodes and normalises `count` fresh instances of the templates (as the collector would). */
export function normalisedRequests(templates: BodyTemplate[], spans: number): NormalisedSpan[][] {
  const requests: NormalisedSpan[][] = [];
  let total = 0;
  for (let i = 0; total < spans; i++) {
    const decoded = decodeTraceRequest(templates[i % templates.length]!.instance(), JSON_WIRE);
    const request: NormalisedSpan[] = [];
    for (const b of decoded.batches) for (const span of b.spans) request.push(normaliseSpan(span, b.context));
    requests.push(request);
    total += request.length;
  }
  return requests;
}

/** Writes the requests with the store's own writer into a scratch database and reads its rows back. */
export function storeRows(requests: NormalisedSpan[][], scratchPath: string): CeilingRows {
  removeDb(scratchPath);
  const db = openWriterDatabase(scratchPath);
  const writer = new SpanWriter(db);
  let spans = 0;
  let batch: NormalisedSpan[] = [];
  const began = performance.now();
  for (const request of requests) {
    batch.push(...request);
    if (batch.length >= BATCH_SPANS) {
      writer.writeSpans(batch);
      spans += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) writer.writeSpans(batch);
  spans += batch.length;
  const writerAloneSpansPerSecond = spans / ((performance.now() - began) / 1000);
  const dump = (sql: string): Table => {
    const statement = db.prepare(sql).raw(true).safeIntegers(true);
    return { columns: statement.columns().map((c) => c.name), rows: statement.all() as unknown[][] };
  };
  const contents = dump('SELECT * FROM contents ORDER BY id');
  const id = contents.columns.indexOf('id');
  const encoding = contents.columns.indexOf('encoding');
  const data = contents.columns.indexOf('data');
  const searchable = contents.columns.indexOf('searchable');
  const fts = new Map<number, string>();
  for (const row of contents.rows) {
    if (Number(row[searchable]) === 1) fts.set(Number(row[id]), searchableText(decodeText(Number(row[encoding]) as TextEncoding, row[data] as string | Uint8Array)));
  }
  const rows: CeilingRows = {
    spans,
    runs: dump('SELECT * FROM runs ORDER BY id'),
    spansTable: dump('SELECT * FROM spans ORDER BY run_id'),
    contents,
    fts,
    refs: dump('SELECT * FROM content_refs ORDER BY run_id'),
    rollups: dump('SELECT * FROM rollup_minute'),
    keys: dump('SELECT * FROM attribute_keys'),
    writerAloneSpansPerSecond,
  };
  db.close();
  removeDb(scratchPath);
  return rows;
}

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

const insertSql = (table: string, columns: string[], verb = 'INSERT') => `${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

/**
 * Inserts the rows into the database at `path` (created and migrated if new), `rep` making trace
 * ids and content hashes unique so that repetitions into one database all insert. Returns spans/s.
 */
export function insertCeiling(path: string, rows: CeilingRows, rep: number): number {
  const db = openWriterDatabase(path);
  try {
    const insert = prepareCeiling(db, rows, rep);
    const began = performance.now();
    insert();
    return rows.spans / ((performance.now() - began) / 1000);
  } finally {
    db.close();
  }
}

/**
 * Prepares the replay of the rows into `db` (statements, row copies with this repetition's ids);
 * the returned function does the inserts and nothing else, so it can be timed alone.
 */
export function prepareCeiling(db: Database.Database, rows: CeilingRows, rep: number): () => void {
  const runOffset = Number((db.prepare('SELECT coalesce(max(id), 0) AS n FROM runs').get() as { n: number }).n);
  const contentOffset = Number((db.prepare('SELECT coalesce(max(id), 0) AS n FROM contents').get() as { n: number }).n);
  const insertRun = db.prepare(insertSql('runs', rows.runs.columns));
  const insertSpan = db.prepare(insertSql('spans', rows.spansTable.columns));
  const insertContent = db.prepare(insertSql('contents', rows.contents.columns));
  const insertFts = db.prepare('INSERT INTO content_fts (rowid, text) VALUES (?, ?)');
  const insertRef = db.prepare(insertSql('content_refs', rows.refs.columns));
  // Rollup rows are upserts in the store; here each replaces the row of its key.
  const insertRollup = db.prepare(insertSql('rollup_minute', rows.rollups.columns, 'INSERT OR REPLACE'));
  const insertKey = db.prepare(insertSql('attribute_keys', rows.keys.columns, 'INSERT OR IGNORE'));

  // Everything that varies per repetition is prepared before the clock starts.
  const col = (t: Table, name: string) => t.columns.indexOf(name);
  const runId = col(rows.runs, 'id');
  const traceId = col(rows.runs, 'trace_id');
  const suffix = rep.toString(16).padStart(4, '0');
  const runs = rows.runs.rows.map((r) => {
    const copy = [...r];
    copy[runId] = Number(r[runId]) + runOffset;
    copy[traceId] = String(r[traceId]).slice(0, 28) + suffix;
    return copy;
  });
  const spanRun = col(rows.spansTable, 'run_id');
  const resourceCid = col(rows.spansTable, 'resource_cid');
  const spans = rows.spansTable.rows.map((r) => {
    const copy = [...r];
    copy[spanRun] = Number(r[spanRun]) + runOffset;
    if (resourceCid >= 0 && r[resourceCid] !== null) copy[resourceCid] = Number(r[resourceCid]) + contentOffset;
    return copy;
  });
  const contentId = col(rows.contents, 'id');
  const hash = col(rows.contents, 'hash');
  const contents = rows.contents.rows.map((r) => {
    const copy = [...r];
    copy[contentId] = Number(r[contentId]) + contentOffset;
    const h = Buffer.from(r[hash] as Uint8Array);
    h.writeUInt16BE(rep & 0xffff, 14);
    copy[hash] = h;
    return copy;
  });
  const refContent = col(rows.refs, 'content_id');
  const refRun = col(rows.refs, 'run_id');
  const refs = rows.refs.rows.map((r) => {
    const copy = [...r];
    copy[refContent] = Number(r[refContent]) + contentOffset;
    copy[refRun] = Number(r[refRun]) + runOffset;
    return copy;
  });

  // Chunks of whole runs holding ~4096 spans; contents and rollups spread evenly over them.
  const chunks: { runs: unknown[][]; spans: unknown[][]; refs: unknown[][] }[] = [];
  let s = 0;
  let f = 0;
  for (let r = 0; r < runs.length; ) {
    const chunk = { runs: [] as unknown[][], spans: [] as unknown[][], refs: [] as unknown[][] };
    while (r < runs.length && chunk.spans.length < BATCH_SPANS) {
      const id = runs[r]![runId];
      chunk.runs.push(runs[r]!);
      while (s < spans.length && spans[s]![spanRun] === id) chunk.spans.push(spans[s++]!);
      while (f < refs.length && refs[f]![refRun] === id) chunk.refs.push(refs[f++]!);
      r++;
    }
    chunks.push(chunk);
  }
  const slice = <T>(items: T[], i: number) => items.slice(Math.floor((items.length * i) / chunks.length), Math.floor((items.length * (i + 1)) / chunks.length));

  const batches = chunks.map((chunk, i) => ({
    ...chunk,
    contents: slice(contents, i).map((content) => ({ content, fts: rows.fts.get(Number(content[contentId]) - contentOffset) })),
    rollups: slice(rows.rollups.rows, i),
  }));
  return () => {
    db.transaction(() => {
      for (const key of rows.keys.rows) insertKey.run(...key);
    })();
    for (const batch of batches) {
      db.transaction(() => {
        for (const { content, fts } of batch.contents) {
          insertContent.run(...content);
          if (fts !== undefined) insertFts.run(content[contentId], fts);
        }
        for (const run of batch.runs) insertRun.run(...run);
        for (const span of batch.spans) insertSpan.run(...span);
        for (const ref of batch.refs) insertRef.run(...ref);
        for (const rollup of batch.rollups) insertRollup.run(...rollup);
      })();
    }
  };
}
