// Concurrent OTLP/HTTP senders: keep-alive connections posting pre-encoded export requests, as
// several agent processes' exporters would. Every loop is bounded in time and in count.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BodyTemplate, Encoding } from './workload.ts';

const CONTENT_TYPE: Record<Encoding, string> = { json: 'application/json', protobuf: 'application/x-protobuf' };
/** The OTLP exporters' default timeout. */
const TIMEOUT_MS = 10_000;

export interface PostResult {
  status: number;
  retryAfter: string | null;
  ms: number;
}

export function post(agent: http.Agent, url: URL, body: Buffer, encoding: Encoding): Promise<PostResult> {
  const began = performance.now();
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': body.length }, timeout: TIMEOUT_MS },
      (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, retryAfter: (response.headers['retry-after'] as string | undefined) ?? null, ms: performance.now() - began }),
        );
        response.on('error', () => resolve({ status: -1, retryAfter: null, ms: performance.now() - began }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve({ status: -1, retryAfter: null, ms: performance.now() - began }));
    request.end(body);
  });
}

export interface LoadOptions {
  url: string;
  templates: BodyTemplate[];
  encoding: Encoding;
  /** Concurrent senders (closed loop: each sends its next request when answered). */
  senders: number;
  durationMs: number;
  /** Open loop instead: requests started at this rate (per second), at most `senders` in flight. */
  requestsPerSecond?: number;
  /** On 503, wait Retry-After seconds and resend the same request, as exporters do. */
  retryOn503?: boolean;
  /** Remember the trace ids of acknowledged requests (for checking nothing acknowledged is lost). */
  keepTraceIds?: boolean;
  maxRequests?: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  spansOk: number;
  bytesOk: number;
  statuses: Record<string, number>;
  status503WithRetryAfter: number;
  status503WithoutRetryAfter: number;
  /** Latency of the exports answered 200, ms: from the first attempt, retries after a 503 included. */
  latencies: number[];
  seconds: number;
  /** Trace ids of the acknowledged requests (with keepTraceIds). */
  ackedTraceIds: string[];
  /**
   * The senders' own event-loop delay, ms (p99 and max): a stall of the bench process (its GC)
   * adds to every latency measured across it, so a slow p99 can be told apart from a slow collector.
   */
  senderDelayP99Ms: number;
  senderDelayMaxMs: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL('/v1/traces', options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.senders });
  const result: LoadResult = {
    requests: 0,
    ok: 0,
    spansOk: 0,
    bytesOk: 0,
    statuses: {},
    status503WithRetryAfter: 0,
    status503WithoutRetryAfter: 0,
    latencies: [],
    seconds: 0,
    ackedTraceIds: [],
    senderDelayP99Ms: 0,
    senderDelayMaxMs: 0,
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const maxRequests = options.maxRequests ?? 1_000_000;
  const began = performance.now();
  const deadline = began + options.durationMs;
  let lastAnswer = began;
  let next = 0;

  const sendOne = async (): Promise<void> => {
    const template = options.templates[next++ % options.templates.length]!;
    const traceIds: string[] = [];
    const body = template.instance(options.keepTraceIds ? { traceIds } : {});
    // An export's latency is the exporter's: from its first attempt to the answer that ends it,
    // waits after a 503 included.
    const firstSent = performance.now();
    // A 503 is retried with the same body until the phase ends (bounded by the deadline).
    for (;;) {
      result.requests++;
      const answer = await post(agent, url, body, options.encoding);
      lastAnswer = performance.now();
      result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
      if (answer.status === 200) {
        result.ok++;
        result.spansOk += template.spans;
        result.bytesOk += body.length;
        result.latencies.push(performance.now() - firstSent);
        if (options.keepTraceIds) result.ackedTraceIds.push(...traceIds);
        return;
      }
      if (answer.status === 503) {
        if (answer.retryAfter !== null) result.status503WithRetryAfter++;
        else result.status503WithoutRetryAfter++;
      }
      if (!options.retryOn503 || answer.status !== 503 || performance.now() > deadline) return;
      const wait = Math.min(5, Number(answer.retryAfter ?? 1)) * 1000 * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, wait));
      if (performance.now() > deadline) return;
    }
  };

  if (options.requestsPerSecond === undefined) {
    await Promise.all(
      Array.from({ length: options.senders }, async () => {
        while (performance.now() < deadline && next < maxRequests) await sendOne();
      }),
    );
  } else {
    const interval = 1000 / options.requestsPerSecond;
    const inFlight = new Set<Promise<void>>();
    let due = began;
    while (performance.now() < deadline && next < maxRequests) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      due += interval;
      if (inFlight.size >= options.senders) await Promise.race(inFlight);
      const p: Promise<void> = sendOne().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }
  result.seconds = (lastAnswer - began) / 1000;
  delay.disable();
  result.senderDelayP99Ms = delay.percentile(99) / 1e6;
  result.senderDelayMaxMs = delay.max / 1e6;
  agent.destroy();
  return result;
}
