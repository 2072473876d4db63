// The kill switch end to end: the SDK demo's support agent runs in a loop against a real
// collector; an operator switches its service to read-only; its next write action (refund,
// send_email) is refused with ActionsDisabledError, recorded on the trace, within the documented
// bound (poll interval + one request). Then the collector dies and the agent keeps the last level.
import type { Span, TraceDetail } from '@runlens/schema';
import { ActionsDisabledError, RunlensClient } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, simulateSupportRun, type DemoClock } from '../../sdk/demo/generator.ts';
import { getOk, listAllRuns } from '../helpers/api.ts';
import { startCollector, type RunningCollector } from '../helpers/collector.ts';

const SERVICE = 'support-agent';
const POLL_MS = 500;
const WRITE_TOOLS = new Set(['refund', 'send_email']);
/** The demo's tools that only read: the agent says so in init({ tools }). */
const TOOLS = { get_customer: { readOnly: true }, lookup_order: { readOnly: true }, search_kb: { readOnly: true }, check_refund_policy: { readOnly: true } };
/** Real time, with the demo's latencies (model calls, tools, approvals) 20 times shorter. */
const FAST_CLOCK: DemoClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 20)) };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let collector: RunningCollector;
let client: RunlensClient;

beforeAll(async () => {
  collector = await startCollector();
  client = new RunlensClient({
    service: SERVICE,
    endpoint: collector.url,
    versions: { app: '2.3.0', policy: 'p1' },
    tools: TOOLS,
    autonomy: { pollMs: POLL_MS },
    scheduledDelayMillis: 100,
    flushOnExit: false,
  });
});

afterAll(async () => {
  await client?.shutdown();
  await collector?.kill();
});

/** The demo agent in a loop, three conversations at a time, until `stop` is set. */
function agentLoop(): { stop: () => Promise<number> } {
  let stopped = false;
  let runs = 0;
  const random = seededRandom(7);
  const worker = async () => {
    while (!stopped) {
      await simulateSupportRun(client, { random, clock: FAST_CLOCK });
      runs++;
    }
  };
  const workers = [worker(), worker(), worker()];
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return runs;
    },
  };
}

async function writeToolSpans(): Promise<Span[]> {
  const runs = await listAllRuns(collector.url, `service=${SERVICE}`);
  const spans: Span[] = [];
  for (const run of runs) {
    const trace = await getOk<TraceDetail>(collector.url, `/api/runs/${run.traceId}`);
    spans.push(...trace.spans.filter((span) => span.kind === 'tool' && WRITE_TOOLS.has(span.toolName ?? '')));
  }
  return spans.sort((a, b) => a.startTime - b.startTime);
}

const refused = (span: Span) => span.events.some((event) => event.name === 'runlens.actions.disabled');

describe('kill switch', () => {
  it('refuses the running demo agent\'s next write action within the poll interval plus one request', async () => {
    const bound = client.autonomy!.pollMs + client.autonomy!.requestTimeoutMs;
    const loop = agentLoop();
    await sleep(2_500);

    const switchedAt = Date.now();
    const answer = await fetch(`${collector.url}/api/autonomy/${SERVICE}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ level: 'read-only', reason: 'refunds go to the wrong account' }),
    });
    expect(answer.status).toBe(200);
    while (client.autonomy!.level !== 'read-only') await sleep(5);
    const enforcedAfter = Date.now() - switchedAt;
    expect(enforcedAfter).toBeLessThanOrEqual(bound);

    // Keep the agent working for a while past the bound, so writes are attempted after it.
    await sleep(switchedAt + bound + 2_500 - Date.now());
    const runs = await loop.stop();
    await client.forceFlush();
    expect(runs).toBeGreaterThan(10);

    const spans = await writeToolSpans();
    const before = spans.filter((span) => span.startTime < switchedAt);
    const after = spans.filter((span) => span.startTime >= switchedAt + bound);
    // Writes ran before the switch; after the bound, every write was refused and none ran.
    expect(before.filter((span) => !refused(span)).length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const span of after) {
      expect(refused(span)).toBe(true);
      expect(span.errorType).toBe('ActionsDisabledError');
      expect(span.status).toBe('error');
      expect(span.attributes['runlens.policy.rule']).toBe('autonomy');
      expect(span.events.find((event) => event.name === 'runlens.actions.disabled')!.attributes).toMatchObject({ tool: span.toolName, level: 'read-only', service: SERVICE });
    }
    // The first refusal came as soon as the agent tried to write once the switch was known.
    const firstRefusal = spans.find(refused)!;
    expect(firstRefusal.startTime - switchedAt).toBeLessThanOrEqual(bound + 1_000);
    console.log(`kill switch: known by the agent ${enforcedAfter} ms after the switch (bound ${bound} ms); first refused write ${firstRefusal.startTime - switchedAt} ms after it; ${after.length} writes refused`);
  });

  it('keeps the last known level while the collector is down', async () => {
    expect(client.autonomy!.level).toBe('read-only');
    await collector.kill();
    await sleep(POLL_MS * 3);
    expect(client.autonomy!.level).toBe('read-only');
    let refundRan = false;
    const outcome = client.run('support-agent', async (run) => {
      const order = await run.tool('lookup_order', { orderId: 'A-1' }, () => ({ status: 'delivered' }));
      await run.tool('refund', { orderId: 'A-1', amountUsd: 40 }, () => {
        refundRan = true;
        return { refundId: 'rf_1' };
      });
      return order;
    });
    await expect(outcome).rejects.toBeInstanceOf(ActionsDisabledError);
    await expect(outcome).rejects.toThrow('tool refund refused: service support-agent runs at autonomy read-only');
    expect(refundRan).toBe(false);
  });
});
