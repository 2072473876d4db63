// Builds a large Runlens database fast and honestly: demo runs, rewritten per replay (fresh trace
// ids, order ids and times spread over the window), decoded by the collector's own OTLP decoder,
// normalised by schema's normaliser and written by the store's own SpanWriter in transactions of
// ~4096 spans, the batch size the collector's writer uses. So spans, runs, contents, the FTS index
// and the rollups are exactly what ingestion would produce; only HTTP is skipped.
// Generated files are cached under bench/.cache/, keyed by size and the schema's migrations.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { NormalisedSpan } from '@runlens/schema';
import { normaliseSpan } from '@runlens/schema';
import { MIGRATIONS } from '@runlens/schema/migrations';
import { decodeTraceRequest } from '../../collector/src/ingest/decode-traces.ts';
import { JSON_WIRE } from '../../collector/src/ingest/wire.ts';
import { openWriterDatabase } from '../../collector/src/store/migrate.ts';
import { SpanWriter } from '../../collector/src/store/writer.ts';
import { BodyTemplate, makePool } from './workload.ts';

export const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));
/** Bump when the generated data changes shape. */
const DATA_VERSION = 2;
const DAY_MS = 86_400_000;
const BATCH_SPANS = 4096;

export interface DbMeta {
  spans: number;
  runs: number;
  /** Epoch ms window the runs start in. */
  from: number;
  to: number;
  rawJsonBytes: number;
  seconds: number;
  key: string;
}

export function cacheKey(): string {
  const hash = createHash('sha256');
  hash.update(`v${DATA_VERSION}`);
  for (const m of MIGRATIONS) hash.update(`${m.version}\n${m.sql}`);
  return hash.digest('hex').slice(0, 10);
}

export function cachedDbPath(spans: number): string {
  return join(CACHE_DIR, `spans-${spans}-${cacheKey()}.db`);
}

export function readMeta(path: string): DbMeta | null {
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(`${path}.json`, 'utf8')) as DbMeta) : null;
  } catch {
    return null;
  }
}

export interface GenerateOptions {
  spans: number;
  /** Also keep a copy when the database reaches each of these sizes. */
  snapshots?: number[];
  days?: number;
  poolRuns?: number;
  /** The base window is written through the store, then copied this many times in all (default 15). */
  copies?: number;
  log?: (line: string) => void;
}

/**
 * Returns the cached database of `spans` spans, generating it (and the snapshots) when missing.
 * Snapshots whose file already exists are not rewritten.
 */
export async function ensureDatabase(options: GenerateOptions): Promise<{ path: string; meta: DbMeta; generated: boolean }> {
  const path = cachedDbPath(options.spans);
  const cached = readMeta(path);
  if (cached) return { path, meta: cached, generated: false };
  const meta = await generateDatabase(path, options);
  return { path, meta, generated: true };
}

async function generateDatabase(path: string, options: GenerateOptions): Promise<DbMeta> {
  const log = options.log ?? (() => undefined);
  mkdirSync(dirname(path), { recursive: true });
  const began = performance.now();
  const days = options.days ?? 30;
  const copies = Math.max(1, Math.min(days, options.copies ?? 15));
  const baseDays = days / copies;
  const baseSpans = Math.ceil(options.spans / copies);
  // Whole minutes, so a copy's rollup rows are the base's rows moved by a whole number of minutes.
  const baseWindowMs = Math.round((baseDays * DAY_MS) / 60_000) * 60_000;
  // Whole hours, so that the hourly rollup rows move with the window like the minute ones.
  const to = Math.floor((Date.now() - 10 * 60_000) / 3_600_000) * 3_600_000;
  const from = to - copies * baseWindowMs;
  // ~11 spans a run: 5M spans ≈ 450k runs over 30 days ≈ one run every 6 s.
  const spacingMs = Math.max(20, Math.floor(baseWindowMs / (baseSpans / 11)));
  const pool = await makePool(options.poolRuns ?? 1500, { seed: 11, spacingMs, startTime: from });
  const templates = pool.requests.map((spans) => new BodyTemplate(spans, 'json'));
  const spansPerTemplate = pool.spans.length / templates.length;
  const instances = Math.ceil(baseSpans / spansPerTemplate);
  log(`generating ${options.spans} spans into ${path}: ${baseSpans} spans over ${(baseWindowMs / DAY_MS).toFixed(1)} days through the store's writer, then ${copies - 1} copies moved by that window`);

  const tmp = `${path}.tmp`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  const db = openWriterDatabase(tmp);
  const writer = new SpanWriter(db);
  let written = 0;
  let rawJsonBytes = 0;
  let batch: NormalisedSpan[] = [];
  let lastLog = performance.now();
  const flush = () => {
    if (batch.length === 0) return;
    writer.writeSpans(batch);
    written += batch.length;
    batch = [];
  };
  // Runs of the base window start in [from, from + window - the longest template).
  const usable = BigInt(baseWindowMs - 3_600_000) * 1_000_000n;
  for (let i = 0; i < instances && written + batch.length < baseSpans; i++) {
    const template = templates[i % templates.length]!;
    const range = template.timeRange();
    const targetNs = BigInt(from) * 1_000_000n + (usable * BigInt(i)) / BigInt(instances);
    const body = template.instance({ shiftNs: targetNs - range.min });
    rawJsonBytes += body.length;
    const decoded = decodeTraceRequest(body, JSON_WIRE);
    for (const b of decoded.batches) for (const span of b.spans) batch.push(normaliseSpan(span, b.context));
    if (batch.length >= BATCH_SPANS) flush();
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      const s = (lastLog - began) / 1000;
      log(`  base: ${written} spans in ${s.toFixed(0)} s (${(written / s).toFixed(0)} spans/s)`);
    }
  }
  flush();
  const base = db.prepare('SELECT max(id) AS runs, (SELECT count(*) FROM spans) AS spans FROM runs').get() as { runs: number; spans: number };
  log(`  base: ${base.spans} spans, ${base.runs} runs in ${((performance.now() - began) / 1000).toFixed(0)} s; copying`);
  // Copies end their trace ids with the copy number; the base's end with 0000 (112 random bits stay).
  db.prepare("UPDATE runs SET trace_id = substr(trace_id, 1, 28) || '0000'").run();
  const copy = copier(db, base.runs, Math.floor(from / 60_000) + baseWindowMs / 60_000);
  log(`  copying tables ${copy.copied.join(', ')}`);
  const snapshots = [...(options.snapshots ?? [])].filter((n) => n < options.spans).sort((a, b) => a - b);
  let total = base.spans;
  for (let k = 1; k < copies; k++) {
    db.transaction(() => copy.copy(k, baseWindowMs))();
    total += base.spans;
    while (snapshots.length > 0 && total >= snapshots[0]!) {
      const size = snapshots.shift()!;
      const snapshot = cachedDbPath(size);
      if (existsSync(snapshot)) continue;
      db.pragma('wal_checkpoint(TRUNCATE)');
      copyFileSync(tmp, `${snapshot}.tmp`);
      renameSync(`${snapshot}.tmp`, snapshot);
      writeMeta(snapshot, { spans: total, runs: base.runs * (k + 1), from, to: from + (k + 1) * baseWindowMs, rawJsonBytes: rawJsonBytes * (k + 1), seconds: (performance.now() - began) / 1000, key: cacheKey() });
      log(`  snapshot of ${total} spans at ${snapshot}`);
    }
  }
  db.prepare('UPDATE totals SET spans = (SELECT count(*) FROM spans), runs = (SELECT count(*) FROM runs) WHERE id = 1').run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, path);
  for (const suffix of ['-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  const meta: DbMeta = { spans: total, runs: base.runs * copies, from, to, rawJsonBytes: rawJsonBytes * copies, seconds: (performance.now() - began) / 1000, key: cacheKey() };
  writeMeta(path, meta);
  log(`generated ${total} spans, ${meta.runs} runs in ${meta.seconds.toFixed(0)} s`);
  return meta;
}

/**
 * Copies the base window's runs (ids 1..baseRuns) `k` windows later, as if the same runs had
 * happened again then: new run ids and trace ids, times moved, the same span rows and contents
 * (so texts repeat across copies, dedup'd like a resent prompt), and the base's rollup rows moved
 * by the same whole number of minutes (rollups depend only on a run's fields and start minute).
 * Tables and columns are read from the schema: every table with a run_id column is copied with
 * its rows' run ids moved (and start_ns/end_ns shifted), every table keyed by `minute` (the
 * rollups) with its minutes moved; the others (contents, keys, totals) are shared.
 */
function copier(db: Database.Database, baseRuns: number, baseEndMinute: number) {
  const columns = (table: string) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'").all() as { name: string }[]).map((t) => t.name);
  const statement = (table: string, overrides: Record<string, string>, where: string) => {
    const cols = columns(table);
    return db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.map((c) => overrides[c] ?? c).join(', ')} FROM ${table} WHERE ${where}`);
  };
  const shifted = { start_ns: 'start_ns + :shiftNs', end_ns: 'end_ns + :shiftNs' };
  const steps: { statement: Database.Statement; params: string[] }[] = [
    {
      statement: statement('runs', { id: 'id + :runOffset', trace_id: "substr(trace_id, 1, 28) || printf('%04x', :k)", start_ns: 'start_ns + :shiftNs' }, 'id <= :baseRuns'),
      params: ['k', 'runOffset', 'shiftNs', 'baseRuns'],
    },
  ];
  const copied: string[] = ['runs'];
  for (const table of tables) {
    const cols = columns(table);
    if (table !== 'runs' && cols.includes('run_id')) {
      const overrides: Record<string, string> = { run_id: 'run_id + :runOffset' };
      for (const [col, expr] of Object.entries(shifted)) if (cols.includes(col)) overrides[col] = expr;
      steps.push({ statement: statement(table, overrides, 'run_id <= :baseRuns'), params: ['runOffset', 'baseRuns', ...(overrides.start_ns ? ['shiftNs'] : [])] });
      copied.push(table);
    } else if (cols.includes('minute')) {
      steps.push({ statement: statement(table, { minute: 'minute + :shiftMinutes' }, 'minute < :baseEndMinute'), params: ['shiftMinutes', 'baseEndMinute'] });
      copied.push(table);
    }
  }
  return {
    copied,
    copy(k: number, windowMs: number) {
      const params = { k, runOffset: k * baseRuns, baseRuns, shiftNs: BigInt(k * windowMs) * 1_000_000n, shiftMinutes: (k * windowMs) / 60_000, baseEndMinute };
      for (const step of steps) step.statement.run(Object.fromEntries(step.params.map((n) => [n, params[n as keyof typeof params]])));
    },
  };
}

function writeMeta(path: string, meta: DbMeta): void {
  writeFileSync(`${path}.json`, JSON.stringify(meta, null, 2));
}
