// Throughput and size check of the store (not a test): writes realistic agent runs through
// `write` from several concurrent "requests", as ingest would, and prints spans/s, the
// database size against the raw OTLP/JSON bytes, and query timings.
//   node --import tsx collector/src/store/throughput-check.ts [runs=20000] [concurrency=8]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalisedSpan } from '@runlens/schema';
import { DEFAULT_CONFIG } from '../config.ts';
import { normaliseSpan } from '@runlens/schema';
import { agentRunOtlp, newTraceId, otlpJson } from './agent-run-fixture.ts';
import { openSqliteStore } from './sqlite-store.ts';

const runs = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 8);
const runsPerRequest = 25;

const dir = mkdtempSync(join(tmpdir(), 'runlens-throughput-'));
const path = join(dir, 'runlens.db');
const start = Date.now() - 3_600_000;

// Build the requests first, so only the store is measured.
let rawBytes = 0;
const requests: NormalisedSpan[][] = [];
for (let i = 0; i < runs; i += runsPerRequest) {
  const batch = [];
  for (let j = i; j < Math.min(runs, i + runsPerRequest); j++) {
    batch.push(
      agentRunOtlp({
        traceId: newTraceId(),
        startMs: start + j * 100,
        steps: 1 + (j % 4),
        promptVersion: j % 2 ? 'v1' : 'v2',
        appVersion: '1.4.0',
        costPerCall: 0.002,
        durationMs: 1000 + (j % 50) * 100,
      }),
    );
  }
  rawBytes += Buffer.byteLength(otlpJson(batch));
  requests.push(batch.flatMap(({ spans, context }) => spans.map((s) => normaliseSpan(s, context))));
}
const totalSpans = requests.reduce((n, r) => n + r.length, 0);

const store = await openSqliteStore({ path, retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 1_000_000 });
const cpuBefore = process.cpuUsage();
const began = performance.now();
let next = 0;
const latencies: number[] = [];
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      const t = performance.now();
      await store.write(request);
      latencies.push(performance.now() - t);
    }
  }),
);
const seconds = (performance.now() - began) / 1000;
const cpu = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);

const time = (label: string, work: () => unknown) => {
  const t = performance.now();
  work();
  console.log(`${label}: ${(performance.now() - t).toFixed(1)} ms`);
};
console.log(`${totalSpans} spans in ${runs} runs, ${requests.length} requests of ${runsPerRequest} runs, ${concurrency} concurrent`);
console.log(`write: ${(totalSpans / seconds).toFixed(0)} spans/s (${seconds.toFixed(2)} s), ${((cpu.user + cpu.system) / totalSpans).toFixed(0)} µs CPU per span (both threads); request p50 ${latencies[latencies.length >> 1]!.toFixed(0)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(0)} ms`);
time('listRuns first page', () => store.listRuns({ limit: 50 }));
time('listRuns search', () => store.listRuns({ q: 'roaming Lisbon', limit: 50 }));
time('metrics by version, 1 h in 1 min steps', () => store.metrics({ from: start, to: start + 3_600_000, step: 60_000, groupBy: 'version' }));
await store.close();
const dbBytes = statSync(path).size;
console.log(`raw OTLP/JSON ${(rawBytes / 1e6).toFixed(1)} MB, database ${(dbBytes / 1e6).toFixed(1)} MB = ${((100 * dbBytes) / rawBytes).toFixed(1)}% of raw`);
if (!process.env.KEEP_DB) rmSync(dir, { recursive: true, force: true });
else console.log(path);
