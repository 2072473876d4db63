// Section 1: ingest. Realistic demo traces, pre-encoded with the OTLP exporters' own serializers
// (JSON and protobuf), posted by concurrent keep-alive senders to a collector child process.
// Phases: saturation (closed loop) and latency below saturation (open loop at a fraction of the
// saturated rate), on an empty database and on one already holding 2M spans; the ceiling in the
// same run; then overload (many more senders than it can take) for 503 + Retry-After and memory.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from './lib/bench.ts';
import { cpuPerSpan, drained, measureStored, memoryOf, startCollector, type RunningCollector } from './lib/collector.ts';
import { cachedDbPath, ensureDatabase } from './lib/dbgen.ts';
import { insertCeiling, normalisedRequests, removeDb, storeRows, type CeilingRows } from './lib/ceiling.ts';
import { runLoad, type LoadResult } from './lib/http.ts';
import { median, quantile, round } from './lib/stats.ts';
import { BodyTemplate, makePool, type Encoding } from './lib/workload.ts';

interface PhaseFigures {
  spansPerSecond: number;
  committedSpans: number;
  ackedSpans: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  seconds: number;
  statuses: Record<string, number>;
  /** The senders' own event-loop delay (bench/lib/http.ts), ms. */
  senderDelayP99Ms: number;
  senderDelayMaxMs: number;
  /** Collector CPU µs per committed span, by thread (bench/lib/collector.ts cpuPerSpan). */
  cpuMicrosPerSpan?: ReturnType<typeof cpuPerSpan>;
}

function figures(load: LoadResult, committed: number, peakRssMb: number): PhaseFigures {
  return {
    spansPerSecond: round(load.spansOk / load.seconds, 0),
    committedSpans: committed,
    ackedSpans: load.spansOk,
    requests: load.requests,
    p50Ms: round(quantile(load.latencies, 0.5)),
    p99Ms: round(quantile(load.latencies, 0.99)),
    peakRssMb: round(peakRssMb),
    seconds: round(load.seconds),
    statuses: load.statuses,
    senderDelayP99Ms: round(load.senderDelayP99Ms),
    senderDelayMaxMs: round(load.senderDelayMaxMs),
  };
}

async function withCollector<T>(db: string, work: (c: RunningCollector) => Promise<T>): Promise<T> {
  const collector = await startCollector(db);
  try {
    return await work(collector);
  } finally {
    const code = await collector.stop();
    if (code !== 0) console.error(`collector exited with ${code}:\n${collector.logs().slice(-2000)}`);
  }
}

/** Closed loop at saturation, then open loop at `fraction` of that rate; one collector. */
async function saturateThenPace(bench: Bench, c: RunningCollector, templates: BodyTemplate[], encoding: Encoding, label: string) {
  const { senders, seconds, latencySeconds, latencyFraction } = bench.ingest;
  bench.log(`  ${label}: ${senders} senders, closed loop, ${seconds} s`);
  // Refused exports are retried after Retry-After, as the OTLP exporters do: a sender that resent
  // at once would measure how fast refusals are answered, not how fast spans are stored.
  const saturation = await measureStored(c, () => runLoad({ url: c.url, templates, encoding, senders, durationMs: seconds * 1000, retryOn503: true }));
  const afterSat = saturation.after;
  const sat: PhaseFigures = {
    ...figures(saturation.result, saturation.stored, memoryOf(c.process.pid!).peakRssMb),
    cpuMicrosPerSpan: saturation.cpu,
  };
  const spansPerRequest = templates.reduce((n, t) => n + t.spans, 0) / templates.length;
  const rate = (sat.spansPerSecond * latencyFraction) / spansPerRequest;
  bench.log(`  ${label}: ${sat.spansPerSecond} spans/s saturated; now ${(latencyFraction * 100).toFixed(0)}% of it (${rate.toFixed(1)} req/s) for ${latencySeconds} s`);
  const paced = await runLoad({ url: c.url, templates, encoding, senders: 32, durationMs: latencySeconds * 1000, requestsPerSecond: rate, retryOn503: true });
  const afterPaced = await drained(c.url);
  const below = {
    ...figures(paced, afterPaced.spans - afterSat.spans, memoryOf(c.process.pid!).peakRssMb),
    // Exports that waited in the collector's admission line (over its byte budget) in this phase.
    waited: (afterPaced.ingest?.waited ?? 0) - (afterSat.ingest?.waited ?? 0),
  };
  return { saturated: sat, belowSaturation: below };
}

/**
 * The ceilings: the same rows replayed `reps` times into fresh files (empty database), then into
 * `seeded` (a copy of the 2M-span database, which the seeded phase then runs on). Only figures
 * come out: the rows are garbage once this returns.
 */
function measureCeilings(bench: Bench, json: BodyTemplate[], seeded: { path: string; spans: number }) {
  const cfg = bench.ingest;
  bench.log(`ingest: ceiling rows from ${cfg.ceilingSpans} spans written by the store's writer`);
  const rows: CeilingRows = storeRows(normalisedRequests(json, cfg.ceilingSpans), join(bench.tmp, 'scratch.db'));
  const empty: number[] = [];
  for (let rep = 0; rep < cfg.reps; rep++) {
    const path = join(bench.tmp, `ceiling-${rep}.db`);
    empty.push(insertCeiling(path, rows, rep + 1));
    removeDb(path);
  }
  bench.log(`  ceiling (empty db): ${empty.map((v) => v.toFixed(0)).join(', ')} spans/s; writer alone ${rows.writerAloneSpansPerSecond.toFixed(0)}`);
  const seededRuns: number[] = [];
  for (let rep = 0; rep < cfg.reps; rep++) seededRuns.push(insertCeiling(seeded.path, rows, 100 + rep));
  bench.log(`  ceiling (${seeded.spans} stored): ${seededRuns.map((v) => v.toFixed(0)).join(', ')} spans/s`);
  return {
    empty: { spansPerSecond: round(median(empty), 0), runs: empty.map((v) => round(v, 0)), writerAloneSpansPerSecond: round(rows.writerAloneSpansPerSecond, 0) },
    seeded: { spansPerSecond: round(median(seededRuns), 0), runs: seededRuns.map((v) => round(v, 0)) },
  };
}

export async function ingestSection(bench: Bench): Promise<Record<string, unknown>> {
  const cfg = bench.ingest;
  bench.log(`ingest: generating ${cfg.poolRuns} demo runs (sdk/demo/generator.ts) and encoding them`);
  const pool = await makePool(cfg.poolRuns, { seed: 3 });
  const json = pool.requests.map((spans) => new BodyTemplate(spans, 'json'));
  const proto = pool.requests.map((spans) => new BodyTemplate(spans, 'protobuf'));
  const spansPerRequest = pool.spans.length / pool.requests.length;
  const workload = {
    demoRuns: pool.runs,
    spans: pool.spans.length,
    spansPerRun: round(pool.spans.length / pool.runs),
    spansPerRequest: round(spansPerRequest),
    jsonBytesPerSpan: round(json.reduce((n, t) => n + t.bytes, 0) / pool.spans.length, 0),
    protobufBytesPerSpan: round(proto.reduce((n, t) => n + t.bytes, 0) / pool.spans.length, 0),
    senders: cfg.senders,
    client: 'OTLP bodies from @opentelemetry/otlp-transformer JsonTraceSerializer / ProtobufTraceSerializer (the serializers of exporter-trace-otlp-http / -proto), ids rewritten per request, posted by node:http keep-alive senders',
  };

  // Both ceilings first, then the load phases: the ceiling's rows (100k spans decoded, normalised
  // and read back) are a ~1.1 GB heap, and kept alive through the phases they made this process's
  // major GCs (4 helper threads marking it) take the 2 cores from the collector under test, a
  // stall of up to 100 ms that sent the paced exports in bursts (bench/README.md, fifth pass).
  // The senders stand for agent processes, so they hold only their encoded bodies.
  const seed = await ensureDatabase({ spans: cfg.seedSpans, log: bench.log });
  const seeded = join(bench.tmp, 'seeded.db');
  bench.log(`ingest: copying the ${seed.meta.spans}-span database (${cachedDbPath(cfg.seedSpans)})`);
  copyFileSync(seed.path, seeded);
  const ceiling = measureCeilings(bench, json, { path: seeded, spans: seed.meta.spans });
  const result: Record<string, unknown> = { workload };
  result.ceilingEmpty = ceiling.empty;
  result.ceilingSeeded = { storedSpans: seed.meta.spans, ...ceiling.seeded };

  for (const [encoding, templates] of [['json', json], ['protobuf', proto]] as const) {
    const db = join(bench.tmp, `ingest-${encoding}.db`);
    const phase = await withCollector(db, (c) => saturateThenPace(bench, c, templates, encoding, `${encoding}, empty db`));
    result[`${encoding}Empty`] = { ...phase, ratioToCeiling: round(phase.saturated.spansPerSecond / ceiling.empty.spansPerSecond, 2) };
    removeDb(db);
  }

  // With 2M spans stored: the copy of the cached seed database the seeded ceiling ran on.
  const phase = await withCollector(seeded, (c) => saturateThenPace(bench, c, proto, 'protobuf', `protobuf, ${seed.meta.spans} stored`));
  result.protobufSeeded = { storedSpans: seed.meta.spans, ...phase, ratioToCeiling: round(phase.saturated.spansPerSecond / ceiling.seeded.spansPerSecond, 2) };
  removeDb(seeded);

  result.overload = await overload(bench, proto);
  return result;
}

/** Many more senders than the collector can take: 503 + Retry-After, bounded memory, nothing acknowledged lost. */
async function overload(bench: Bench, templates: BodyTemplate[]) {
  const db = join(bench.tmp, 'overload.db');
  const { overloadSenders, overloadSeconds } = bench.ingest;
  return withCollector(db, async (c) => {
    bench.log(`  overload: ${overloadSenders} protobuf senders, retrying on 503 after Retry-After, ${overloadSeconds} s`);
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, memoryOf(c.process.pid!).rssMb);
      } catch {
        // the process may be gone
      }
    }, 200);
    const load = await runLoad({ url: c.url, templates, encoding: 'protobuf', senders: overloadSenders, durationMs: overloadSeconds * 1000, retryOn503: true, keepTraceIds: true });
    clearInterval(sampler);
    const after = await drained(c.url);
    const peakRssMb = memoryOf(c.process.pid!).peakRssMb;
    // Every acknowledged trace must be there, whole: check a sample through the API.
    const sample = load.ackedTraceIds.filter((_, i) => i % Math.max(1, Math.floor(load.ackedTraceIds.length / 300)) === 0);
    let missing = 0;
    for (const traceId of sample) {
      const response = await fetch(`${c.url}/api/runs/${traceId}`);
      if (response.status !== 200) missing++;
      else await response.arrayBuffer();
    }
    return {
      senders: overloadSenders,
      requests: load.requests,
      acked: load.ok,
      ackedSpans: load.spansOk,
      committedSpans: after.spans,
      lostAckedSpans: Math.max(0, load.spansOk - after.spans),
      sampledAckedTraces: sample.length,
      sampledAckedTracesMissing: missing,
      status503: load.statuses['503'] ?? 0,
      status503WithRetryAfter: load.status503WithRetryAfter,
      status503WithoutRetryAfter: load.status503WithoutRetryAfter,
      statuses: load.statuses,
      spansPerSecond: round(load.spansOk / load.seconds, 0),
      p50Ms: round(quantile(load.latencies, 0.5)),
      p99Ms: round(quantile(load.latencies, 0.99)),
      peakRssMb: round(peakRssMb),
      sampledPeakRssMb: round(peak),
    };
  }).finally(() => removeDb(db));
}
