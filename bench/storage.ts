// Section 3: storage. Fresh demo runs (each sent once, none replayed) exported by real
// OTLPTraceExporter objects (exporter-trace-otlp-http, OTLP/JSON), 4 concurrent, to a fresh
// collector; after a clean stop, bytes on disk per span and as a share of the raw OTLP/JSON bytes
// (the same serializer's output, summed over the requests).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Bench } from './lib/bench.ts';
import { startCollector } from './lib/collector.ts';
import { removeDb } from './lib/ceiling.ts';
import { round } from './lib/stats.ts';
import { makePool, serialize } from './lib/workload.ts';

const EXPORTERS = 4;

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(path + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

export async function storageSection(bench: Bench): Promise<Record<string, unknown>> {
  bench.log(`storage: ${bench.storage.runs} fresh demo runs through ${EXPORTERS} OTLPTraceExporter (JSON) objects`);
  const pool = await makePool(bench.storage.runs, { seed: 99 });
  const rawJson = pool.requests.reduce((n, spans) => n + serialize(spans, 'json').length, 0);
  const rawProto = pool.requests.reduce((n, spans) => n + serialize(spans, 'protobuf').length, 0);
  const db = join(bench.tmp, 'storage.db');
  const collector = await startCollector(db);
  const began = performance.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: EXPORTERS }, async () => {
        const exporter = new OTLPTraceExporter({ url: `${collector.url}/v1/traces`, timeoutMillis: 30_000 });
        while (next < pool.requests.length) {
          const spans = pool.requests[next++]!;
          await new Promise<void>((resolve, reject) =>
            exporter.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('export failed')))),
          );
        }
        await exporter.shutdown();
      }),
    );
  } finally {
    await collector.stop();
  }
  const seconds = (performance.now() - began) / 1000;
  const bytes = fileBytes(db);
  const check = new Database(db, { readonly: true });
  const spans = Number((check.prepare('SELECT count(*) AS n FROM spans').get() as { n: number }).n);
  let tables: { name: string; mb: number; share: number }[] = [];
  try {
    const rows = check.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
    tables = rows.slice(0, 12).map((r) => ({ name: r.name, mb: round(r.bytes / 1e6, 2), share: round(r.bytes / bytes, 3) }));
  } catch {
    // dbstat not compiled in
  }
  const contentRows = check.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes, sum(encoding = 1) AS deflated FROM contents').get();
  check.close();
  removeDb(db);
  return {
    client: '@opentelemetry/exporter-trace-otlp-http OTLPTraceExporter.export(), 4 concurrent',
    runs: pool.runs,
    spansSent: pool.spans.length,
    spansStored: spans,
    rawJsonBytes: rawJson,
    rawProtobufBytes: rawProto,
    dbBytes: bytes,
    bytesPerSpan: round(bytes / spans, 0),
    rawJsonBytesPerSpan: round(rawJson / pool.spans.length, 0),
    shareOfRawJson: round(bytes / rawJson, 3),
    shareOfRawProtobuf: round(bytes / rawProto, 3),
    exportSeconds: round(seconds),
    tables,
    contents: contentRows,
  };
}
