// An acknowledged span is on disk: a collector killed with SIGKILL mid-stream loses nothing it
// answered 200 for, and data survives restarts.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { RunsPage } from '@runlens/schema';
import { startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns } from '../helpers/otel.ts';
import { getOk, listAllRuns } from '../helpers/api.ts';

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.kill('SIGKILL')));
});

async function start(db: string): Promise<RunningCollector> {
  const collector = await startCollector({ db });
  running.push(collector);
  return collector;
}

/** One run of three spans (root, llm, tool) with fresh ids, as an OTLP/JSON body. */
function runBody(i: number): { traceId: string; body: string } {
  const traceId = randomBytes(16).toString('hex');
  const [root, llm, tool] = [0, 1, 2].map(() => randomBytes(8).toString('hex'));
  const t0 = BigInt(Date.now() - 10_000) * 1_000_000n;
  const at = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
  const attr = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });
  const spans = [
    { traceId, spanId: root, name: 'invoke_agent loader', kind: 1, startTimeUnixNano: at(0), endTimeUnixNano: at(900), attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'loader')] },
    { traceId, spanId: llm, parentSpanId: root, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: at(10), endTimeUnixNano: at(500), attributes: [attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o'), attr('gen_ai.usage.input_tokens', 100 + i), attr('gen_ai.usage.output_tokens', 7)] },
    { traceId, spanId: tool, parentSpanId: root, name: 'execute_tool fetch', kind: 1, startTimeUnixNano: at(510), endTimeUnixNano: at(890), attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', 'fetch'), attr('gen_ai.tool.call.arguments', `{"n":${i}}`)] },
  ];
  return { traceId, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', 'kill-test')] }, scopeSpans: [{ scope: { name: 'raw' }, spans }] }] }) };
}

describe('a collector killed with SIGKILL while a client sends', () => {
  it('still has every span it answered 200 for after a restart', async () => {
    const db = tempDbPath();
    const first = await start(db);
    const acknowledged: string[] = [];
    let attempted = 0;
    let stop = false;

    // Four clients posting distinct runs back to back, recording which were acknowledged.
    const client = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const { traceId, body } = runBody(worker * 1_000_000 + i);
        attempted++;
        try {
          const response = await fetch(first.url + '/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
          if (response.status === 200) acknowledged.push(traceId);
          await response.arrayBuffer();
        } catch {
          return; // the collector is gone
        }
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    // Kill once a good number of runs are acknowledged, in the middle of the stream.
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await first.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    const acked = [...acknowledged];
    expect(acked.length).toBeGreaterThanOrEqual(300);

    const second = await start(db);
    const stored = new Map((await listAllRuns(second.url, 'service=kill-test')).map((run) => [run.traceId, run]));
    const missing = acked.filter((traceId) => stored.get(traceId)?.spanCount !== 3);
    expect(missing, `${missing.length} of ${acked.length} acknowledged runs lost or incomplete (${attempted} attempted)`).toEqual([]);
    // Runs in flight at the kill may or may not be there, but never more than were sent.
    expect(stored.size).toBeLessThanOrEqual(attempted);
  });
});

describe('a collector stopped and started again', () => {
  it('serves the same runs and traces from the same database', async () => {
    const db = tempDbPath();
    const first = await start(db);
    const ids = await sendAgentRuns({ url: first.url, encoding: 'protobuf' }, { serviceName: 'restart-agent', serviceVersion: '3.1.0' }, [
      { agent: 'restart_agent', question: 'first question', answer: 'first answer', tools: [{ name: 'search', arguments: { q: 'x' }, result: ['a'] }] },
      { agent: 'restart_agent', question: 'second question', answer: 'second answer', failure: 'gave up' },
    ]);
    const before = await getOk<RunsPage>(first.url, '/api/runs');
    expect(await first.stop()).toBe(0);
    expect(first.logs()).toMatch(/runlens stopped/);
    running.splice(running.indexOf(first), 1);

    const second = await start(db);
    const after = await getOk<RunsPage>(second.url, '/api/runs');
    expect(after).toEqual(before);
    expect(after.runs.map((run) => run.traceId).sort()).toEqual([...ids].sort());
    expect(await listAllRuns(second.url, 'q=second')).toHaveLength(1);
  });
});
