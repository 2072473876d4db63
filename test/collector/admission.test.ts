// Overload against the real collector process with its default limits: more exporters than it can
// take get 503 + Retry-After (not timeouts), memory stays bounded, and every span answered 200 is
// in the database afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import { startCollector, type RunningCollector } from '../helpers/collector.ts';

const SENDERS = 40;
const RUNS_PER_REQUEST = 48;
const SPANS_PER_RUN = 10;
const SEND_FOR_MS = 9_000;
/**
 * Peak RSS bound asserted here, a regression bound with room for a slower machine: `npm run
 * bench` measures the issue's 300 MB target under 256 senders (288 MB there). With this workload
 * it was 500-620 MB with the sources run through tsx, a 16 MiB budget and V8's default heap growth,
 * 376 MB with 12 MiB, and ~260 MB since the compiled bundle, 4 MiB and the growth cap of `serve`.
 */
const MAX_RSS_MB = 450;

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.kill('SIGKILL')));
});

const PLACEHOLDER = 'f'.repeat(24);
const attr = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });

/**
 * One export of 48 runs × 10 spans (~1.7 MB of OTLP/JSON, like the BatchSpanProcessor's 512-span
 * batches with a long system prompt resent on every call); trace ids start with PLACEHOLDER so each
 * request gets fresh ones by a string replace.
 */
function templateBody(): string {
  const prompt = 'You are the refunds agent of an online shop. '.repeat(70);
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const at = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
  const spans: unknown[] = [];
  for (let r = 0; r < RUNS_PER_REQUEST; r++) {
    const traceId = PLACEHOLDER + r.toString(16).padStart(8, '0');
    const root = `a${r.toString(16).padStart(15, '0')}`;
    spans.push({ traceId, spanId: root, name: 'invoke_agent refunds', kind: 1, startTimeUnixNano: at(0), endTimeUnixNano: at(5000), attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'refunds')] });
    for (let s = 1; s < SPANS_PER_RUN; s++) {
      const spanId = `b${r.toString(16).padStart(7, '0')}${s.toString(16).padStart(8, '0')}`;
      spans.push({
        traceId, spanId, parentSpanId: root, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: at(s * 400), endTimeUnixNano: at(s * 400 + 350),
        attributes: [
          attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o'), attr('gen_ai.usage.input_tokens', 900 + s), attr('gen_ai.usage.output_tokens', 40),
          attr('gen_ai.input.messages', JSON.stringify([{ role: 'system', parts: [{ type: 'text', content: prompt }] }, { role: 'user', parts: [{ type: 'text', content: `order ${traceId} step ${s}` }] }])),
          attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `done ${s} for ${traceId}` }] }])),
        ],
      });
    }
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'overload-test')] }, scopeSpans: [{ scope: { name: 'raw' }, spans }] }] });
}

/** One export the way the OTel exporters send it (node:http, 10 s timeout); status -1 for a timeout or a dropped connection. */
function post(agent: http.Agent, url: URL, body: Buffer): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length }, timeout: 10_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: (response.headers['retry-after'] as string | undefined) ?? null }));
        response.on('error', () => resolve({ status: -1, retryAfter: null }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    // retryAfter carries the error's message here, for the assertion's report.
    request.on('error', (error) => resolve({ status: -1, retryAfter: error.message }));
    request.end(body);
  });
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

describe('a collector under more exporters than it can take', () => {
  it('answers 503 with Retry-After, stays under its memory bound and loses nothing it acknowledged', async () => {
    const collector = await startCollector();
    running.push(collector);
    const template = templateBody();
    const acknowledged: string[] = [];
    const counts = { ok: 0, refused: 0, refusedWithoutRetryAfter: 0, timedOut: 0, other: 0 };
    const retryAfters = new Set<number>();
    const end = Date.now() + SEND_FOR_MS;
    const failures = new Set<string>();
    const refusedMs: number[] = [];
    const okMs: number[] = [];
    const percentile = (xs: number[], p: number) => Math.round(xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN);

    const agent = new http.Agent({ keepAlive: true });
    const sender = async () => {
      while (Date.now() < end) {
        const prefix = randomBytes(12).toString('hex');
        const body = Buffer.from(template.replaceAll(PLACEHOLDER, prefix));
        const began = performance.now();
        const answer = await post(agent, new URL(`${collector.url}/v1/traces`), body);
        (answer.status === 503 ? refusedMs : answer.status === 200 ? okMs : []).push(performance.now() - began);
        if (answer.status === 200) {
          counts.ok++;
          for (let r = 0; r < RUNS_PER_REQUEST; r++) acknowledged.push(prefix + r.toString(16).padStart(8, '0'));
        } else if (answer.status === 503) {
          counts.refused++;
          const retryAfter = Number(answer.retryAfter);
          if (!(retryAfter > 0)) counts.refusedWithoutRetryAfter++;
          retryAfters.add(retryAfter);
          // As the exporters do: wait Retry-After (jittered so senders do not return in step).
          await new Promise((resolve) => setTimeout(resolve, (retryAfter || 1) * 1000 * (0.5 + Math.random())));
        } else if (answer.status === -1) {
          counts.timedOut++;
          failures.add(String(answer.retryAfter));
        }
        else counts.other++;
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    agent.destroy();
    const rssMb = peakRssMb(collector.process.pid!);
    const health = (await (await fetch(`${collector.url}/healthz`)).json()) as { spans: number; ingest: { refused: number; bytesInFlight: number } };
    await collector.stop();

    console.log(`overload: ${SENDERS} senders for ${SEND_FOR_MS / 1000} s: ${JSON.stringify(counts)}, Retry-After ${[...retryAfters].sort().join('/')} s, peak RSS ${rssMb.toFixed(0)} MB, ${health.spans} spans stored; ` +
      `503 answered in p50 ${percentile(refusedMs, 0.5)} / p99 ${percentile(refusedMs, 0.99)} ms, 200 in p50 ${percentile(okMs, 0.5)} / p99 ${percentile(okMs, 0.99)} ms`);
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.refusedWithoutRetryAfter).toBe(0);
    // Many more senders than it can take: Retry-After grows past 1 s, and never past 5 s.
    expect(Math.max(...retryAfters)).toBeGreaterThan(1);
    expect(Math.max(...retryAfters)).toBeLessThanOrEqual(5);
    // A reused keep-alive socket can be reset under heavy load (exporters retry those, like a
    // 503); they must stay rare: the collector answers, it does not hang up on its clients.
    const answered = counts.ok + counts.refused + counts.other;
    expect(counts.timedOut, [...failures].join('; ')).toBeLessThanOrEqual(Math.ceil(0.03 * (answered + counts.timedOut)));
    expect(counts.other).toBe(0);
    expect(counts.ok).toBeGreaterThan(0);
    expect(health.ingest.refused).toBeGreaterThan(0);
    expect(health.ingest.bytesInFlight).toBe(0);
    expect(rssMb).toBeLessThan(MAX_RSS_MB);

    const db = new Database(collector.dbPath, { readonly: true });
    try {
      const spansOf = db.prepare('SELECT count(*) AS n FROM spans WHERE run_id = (SELECT id FROM runs WHERE trace_id = ?)').pluck();
      const missing = acknowledged.filter((traceId) => spansOf.get(traceId) !== SPANS_PER_RUN);
      expect(missing).toEqual([]);
    } finally {
      db.close();
    }
  }, 40_000);
});
