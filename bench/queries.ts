// Section 2: queries on a large database (5M spans, ~450k runs over 30 days by default; --spans
// to change). Each query is timed through the HTTP API of a running collector (client-side, body
// received) and, separately, in-process on the store's own reader with the same parsed query
// (the server-side time, without HTTP and JSON).
import Database from 'better-sqlite3';
import { parseMetricsQuery } from '../collector/src/api/metrics.ts';
import { parseRunsQuery } from '../collector/src/api/runs.ts';
import { StoreReader } from '../collector/src/store/queries.ts';
import type { Bench } from './lib/bench.ts';
import { ensureBigTrace } from './lib/bigtrace.ts';
import { startCollector } from './lib/collector.ts';
import { ensureDatabase, type DbMeta } from './lib/dbgen.ts';
import { round, summarise } from './lib/stats.ts';

const DAY = 86_400_000;

interface QuerySpec {
  name: string;
  target: number | null;
  path: string;
  server: (reader: StoreReader) => unknown;
}

function specs(meta: DbMeta, sample: { traceId: string; userId: string; model: string; word: string }, bigTraceId: string): QuerySpec[] {
  const runs = (name: string, params: Record<string, string>, target: number | null = 50): QuerySpec => ({
    name,
    target,
    path: `/api/runs?${new URLSearchParams(params)}`,
    server: (r) => r.listRuns(parseRunsQuery(params)),
  });
  const metrics = (name: string, days: number, target: number): QuerySpec => {
    const params = { from: String(meta.to - days * DAY), to: String(meta.to), groupBy: 'version' };
    return { name, target, path: `/api/metrics?${new URLSearchParams(params)}`, server: (r) => r.metrics(parseMetricsQuery(params, meta.to)) };
  };
  const trace = (name: string, traceId: string, target: number | null): QuerySpec => ({
    name,
    target,
    path: `/api/runs/${traceId}`,
    server: (r) => r.getTrace(traceId),
  });
  return [
    runs('runs: first page', { limit: '50' }),
    runs('runs: outcome=failure', { outcome: 'failure', limit: '50' }),
    runs('runs: version=v2 (prompt)', { version: 'v2', limit: '50' }),
    runs('runs: model', { model: sample.model, limit: '50' }),
    runs('runs: user (selective)', { user: sample.userId, limit: '50' }),
    runs('runs: last 24 h, escalated', { from: String(meta.to - DAY), to: String(meta.to), outcome: 'escalated', limit: '50' }),
    runs('runs: search "refund torn"', { q: 'refund torn', limit: '50' }),
    runs(`runs: search an order id (${sample.word})`, { q: sample.word, limit: '50' }),
    trace('trace: 1,000 spans', bigTraceId, 50),
    trace('trace: typical run', sample.traceId, null),
    metrics('dashboard: 7 d by version', 7, 50),
    metrics('dashboard: 30 d by version', 30, 100),
  ];
}

/** GET with one retry: an idle keep-alive connection the server closed fails once. */
async function get(url: string): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    response = await fetch(url);
  }
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
  return body;
}

async function timeHttp(url: string, reps: number): Promise<{ times: number[]; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < reps + 2; i++) {
    const began = performance.now();
    bytes = (await get(url)).byteLength;
    if (i >= 2) times.push(performance.now() - began);
  }
  return { times, bytes };
}

function timeServer(work: () => unknown, reps: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < reps + 2; i++) {
    const began = performance.now();
    work();
    if (i >= 2) times.push(performance.now() - began);
  }
  return times;
}

export async function queriesSection(bench: Bench): Promise<Record<string, unknown>> {
  const { path, meta, generated } = await ensureDatabase({ spans: bench.queries.spans, snapshots: [bench.ingest.seedSpans], log: bench.log });
  bench.log(`queries: ${generated ? 'generated' : 'cached'} database ${path}: ${meta.spans} spans, ${meta.runs} runs, ${((meta.to - meta.from) / DAY).toFixed(0)} days`);
  const collector = await startCollector(path);
  try {
    const bigTraceId = await ensureBigTrace(collector.url, 1000, meta.to - 2 * 3_600_000);
    // The 10,000-span trace the viewer section opens lives in the same database.
    await ensureBigTrace(collector.url, bench.viewer.spans, meta.to - 3 * 3_600_000);
    const db = new Database(path, { readonly: true });
    const reader = new StoreReader(db);
    const pick = db.prepare("SELECT trace_id AS traceId, user_id AS userId, model FROM runs WHERE span_count BETWEEN 8 AND 20 AND user_id IS NOT NULL ORDER BY id DESC LIMIT 1").get() as { traceId: string; userId: string; model: string };
    // An order id from one run's input: a word few texts contain.
    const input = JSON.stringify(reader.getTrace(pick.traceId)?.spans[0]?.input ?? '');
    const word = /A-([0-9a-z]{5})/.exec(input)?.[0] ?? 'torn';
    const results: Record<string, unknown>[] = [];
    for (const spec of specs(meta, { ...pick, word }, bigTraceId)) {
      const server = summarise(timeServer(() => spec.server(reader), bench.queries.reps));
      const measured = await timeHttp(collector.url + spec.path, bench.queries.reps);
      const http = summarise(measured.times);
      const size = measured.bytes;
      results.push({
        name: spec.name,
        path: spec.path,
        medianMs: round(http.median),
        p95Ms: round(http.p95),
        serverMedianMs: round(server.median),
        serverP95Ms: round(server.p95),
        responseBytes: size,
        targetMs: spec.target,
        met: spec.target === null ? null : http.median < spec.target,
      });
      bench.log(`  ${spec.name}: ${http.median.toFixed(1)} ms (server ${server.median.toFixed(1)} ms)`);
    }
    db.close();
    return { database: { path, spans: meta.spans, runs: meta.runs, days: round((meta.to - meta.from) / DAY), generatedSeconds: round(meta.seconds, 0), generatedNow: generated }, reps: bench.queries.reps, queries: results, bigTraceId };
  } finally {
    await collector.stop();
  }
}
