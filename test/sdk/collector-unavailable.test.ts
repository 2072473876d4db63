// Tracing never hurts the agent: a collector that is down, answering 503 or hanging changes
// nothing for the agent's own calls (no throw, no noticeable delay) and memory stays bounded.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, RunlensClient, type AgentRun } from '@runlens/sdk';
import { afterEach, describe, expect, it } from 'vitest';

const servers: Server[] = [];
const clients: RunlensClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) void client.shutdown();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local HTTP server answering every request with `status` (or never, when `status` is null). */
async function startFakeCollector(status: number | null): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    if (status === null) return; // hang: accept the request, never answer
    response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' });
    response.end(JSON.stringify({ code: 14, message: 'unavailable' }));
  });
  server.keepAliveTimeout = 1;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

/** A port nothing listens on: bind, note the port, close. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function agentWork(run: AgentRun, i: number): Promise<number> {
  await run.llm({ model: 'gpt-4o-mini', provider: 'openai', messages: [{ role: 'user', content: `question ${i}` }] }, async (call) => {
    call.record({ inputTokens: 300, outputTokens: 40, output: 'answer' });
  });
  return run.tool('lookup_order', { orderId: `A-${i}` }, async () => i);
}

/** Runs `count` instrumented runs back to back; returns per-run durations (ms). */
async function runAgent(client: RunlensClient, count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const value = await client.run('support', { userId: `u_${i}`, input: `question ${i}` }, (run) => agentWork(run, i));
    expect(value).toBe(i);
    durations.push(performance.now() - started);
  }
  return durations;
}

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * p)]!;
const median = (values: number[]): number => percentile(values, 0.5);

function newClient(endpoint: string, maxQueueSize = 2048): RunlensClient {
  const client = new RunlensClient({ service: 'support-agent', endpoint, maxQueueSize, scheduledDelayMillis: 20, exportTimeoutMillis: 2000, flushOnExit: false });
  clients.push(client);
  return client;
}

describe('when the collector is unavailable', () => {
  for (const [label, target] of [
    ['down (closed port)', () => closedPortUrl()],
    ['answering 503', async () => (await startFakeCollector(503)).url],
    ['hanging without an answer', async () => (await startFakeCollector(null)).url],
  ] as const) {
    it(`the agent is neither failed nor slowed when the collector is ${label}`, async () => {
      const client = newClient(await target());
      // The same agent, exporting to memory: the reference for "not slowed".
      const reference = new RunlensClient({ service: 'support-agent', exporter: new InMemorySpanExporter(), flushOnExit: false });
      clients.push(reference);
      await runAgent(client, 50); // warm up: module code, JIT
      await runAgent(reference, 50);
      const durations: number[] = [];
      const referenceDurations: number[] = [];
      // Interleaved, so load from other processes on this machine hits both alike.
      for (let i = 0; i < 30; i++) {
        durations.push(...(await runAgent(client, 10)));
        referenceDurations.push(...(await runAgent(reference, 10)));
      }
      // An instrumented run of two calls takes well under a millisecond; a blocking export
      // (a 503 round trip, a retry backoff, a hung request) would take milliseconds to seconds.
      expect(median(durations)).toBeLessThan(median(referenceDurations) * 1.5 + 0.5);
      expect(percentile(durations, 0.99)).toBeLessThan(100);
      const flushStarted = performance.now();
      await client.shutdown(); // never rejects, even though nothing was delivered
      expect(performance.now() - flushStarted).toBeLessThan(15_000);
      expect(client.stats().exported).toBe(0);
    });
  }

  it('memory stays bounded: spans beyond the queue are dropped and counted', async () => {
    const fake = await startFakeCollector(null);
    const client = newClient(fake.url, 200);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    await runAgent(client, 3000); // 9000 spans against a queue of 200
    const stats = client.stats();
    expect(stats.pending).toBeLessThanOrEqual(200);
    expect(stats.dropped).toBeGreaterThanOrEqual(9000 - 200 - 512);
    expect(stats.queued + stats.dropped).toBe(9000);
    global.gc?.();
    // 9000 spans held in memory would take tens of MB; the bounded queue keeps growth small.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
  });

  it('exports normally once the collector answers again', async () => {
    let status = 503;
    let accepted = 0;
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (status === 200) accepted++;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = newClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await runAgent(client, 5);
    await client.forceFlush();
    expect(client.stats().failed).toBeGreaterThan(0);
    status = 200;
    await runAgent(client, 5);
    await client.forceFlush();
    expect(client.stats().exported).toBe(15);
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('process exit', () => {
  it('a normal exit flushes the spans of a run the agent never shut down', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The default batch delay (1 s) is longer than the script: only the exit hook can send it.
    const script = `
      import { init } from '@runlens/sdk';
      const client = init({ service: 'exit-test', endpoint: ${JSON.stringify(endpoint)}, scheduledDelayMillis: 60000 });
      await client.run('support', async (run) => run.tool('lookup_order', { id: 1 }, async () => 'ok'));
    `;
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(bodies.join('')).toContain('invoke_agent support');
    expect(bodies.join('')).toContain('execute_tool lookup_order');
  });
});
