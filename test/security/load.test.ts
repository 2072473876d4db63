// Sustained overload from several exporters: the collector sheds load with 429 (per-key rate
// limit) and 503 (write queue bound) while its memory stays under a stated bound, and every span
// it answered 200 for is in the database afterwards, counted one by one.
// A short run for `npm test`; bench/ has the long one.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { cliToken, runBody } from './support.ts';

const DURATION_MS = 8_000;
const SENDERS_PER_KEY = 4;
const RUNS_PER_REQUEST = 100; // 300 spans per request
/** Resident memory of the collector process (main thread, writer thread, V8 heaps, SQLite cache). */
const RSS_BOUND_MB = 400;

let collector: RunningCollector | null = null;
afterAll(async () => {
  await collector?.kill('SIGKILL');
});

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** One request of `RUNS_PER_REQUEST` runs; returns the trace ids and span count. */
function bigBody(seed: number): { body: string; traceIds: string[]; spans: number } {
  const runs = Array.from({ length: RUNS_PER_REQUEST }, (_, i) => runBody({ n: seed + i, service: 'load' }));
  const spans = runs.flatMap((r) => (JSON.parse(r.body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }).resourceSpans[0]!.scopeSpans[0]!.spans);
  const request = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] }, scopeSpans: [{ scope: { name: 'load' }, spans }] }] };
  return { body: JSON.stringify(request), traceIds: runs.map((r) => r.traceId), spans: spans.length };
}

describe('a sustained overload from several exporters', () => {
  it('gets 429 and 503 answers, stays under the memory bound, and loses no acknowledged span', async () => {
    const db = tempDbPath();
    const keys = [await cliToken(db, ['keys', 'create', 'load-a']), await cliToken(db, ['keys', 'create', 'load-b'])];
    const dir = makeTempDir();
    // A small write queue and a tight per-key rate, so both kinds of shedding show in a short run.
    writeFileSync(join(dir, 'runlens.config.json'), JSON.stringify({ maxQueuedSpans: 600, rateLimit: { perSecond: 4, burst: 4 } }));
    collector = await startCollector({ db, cwd: dir });
    const pid = collector.process.pid!;
    const url = collector.url;

    const statuses = new Map<number, number>();
    const acknowledged: string[] = [];
    let acknowledgedSpans = 0;
    let peakRss = rssMb(pid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(pid))), 100);
    const until = Date.now() + DURATION_MS;
    let seed = 0;
    // Bodies are made ahead so the senders are not slowed by JSON building.
    const pool = Array.from({ length: 16 }, () => bigBody((seed += RUNS_PER_REQUEST)));
    const sender = async (key: string, worker: number) => {
      for (let i = 0; Date.now() < until; i++) {
        const request = i < pool.length ? pool[(worker * 3 + i) % pool.length]! : pool[0]!;
        // Fresh ids for every request: reuse a prepared body by rewriting the run part of the ids.
        const suffix = `${worker.toString(16).padStart(2, '0')}${i.toString(16).padStart(6, '0')}`;
        const body = request.body.replace(/"traceId":"([0-9a-f]{24})[0-9a-f]{8}"/g, (_m, head: string) => `"traceId":"${head}${suffix}"`);
        const traceIds = request.traceIds.map((id) => id.slice(0, 24) + suffix);
        const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 200) {
          acknowledged.push(...traceIds);
          acknowledgedSpans += request.spans;
        } else {
          expect([429, 503]).toContain(response.status);
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        }
      }
    };
    await Promise.all(keys.flatMap((key, k) => Array.from({ length: SENDERS_PER_KEY }, (_, w) => sender(key, k * SENDERS_PER_KEY + w))));
    clearInterval(sampler);
    await collector.stop();
    collector = null;

    const summary = Object.fromEntries(statuses);
    console.log(`load: ${JSON.stringify(summary)} answers; ${acknowledgedSpans} spans acknowledged; peak RSS ${peakRss.toFixed(0)} MB (bound ${RSS_BOUND_MB} MB)`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(peakRss).toBeLessThan(RSS_BOUND_MB);

    const conn = new Database(db, { readonly: true });
    const spanCount = (conn.prepare('SELECT count(*) AS n FROM spans').get() as { n: number }).n;
    const stored = new Set((conn.prepare('SELECT trace_id FROM runs').all() as { trace_id: string }[]).map((r) => r.trace_id));
    conn.close();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Refused requests stored nothing: the database holds exactly the acknowledged spans.
    expect(spanCount).toBe(acknowledgedSpans);
  });
});
