// The kill switch in the SDK against a real HTTP server on 127.0.0.1 standing in for the
// collector's GET /api/autonomy/:service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutonomySwitch } from './autonomy.ts';
import { RunlensClient } from './client.ts';
import { ActionsDisabledError } from './errors.ts';

let server: Server;
let baseUrl: string;
/** What the fake collector answers: a level, or an HTTP status for an outage. */
let answer: { level: string } | { status: number } = { level: 'full' };
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    asked.push(`${request.url} ${request.headers.authorization ?? ''}`);
    if ('status' in answer) response.writeHead(answer.status).end('down');
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ service: 'svc', ...answer }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function client(exporter: InMemorySpanExporter, tools?: Record<string, { readOnly?: boolean }>): RunlensClient {
  return new RunlensClient({
    service: 'svc',
    exporter,
    endpoint: baseUrl,
    headers: { Authorization: 'Bearer rlk_test' },
    autonomy: { pollMs: 60_000 },
    flushOnExit: false,
    ...(tools && { tools }),
  });
}

describe('AutonomySwitch', () => {
  it('refuses tools not marked read-only under read-only and draft-only, everything under off', async () => {
    const sw = new AutonomySwitch('svc', { baseUrl, headers: {} });
    expect(sw.refusal('send_email', false)).toBeNull(); // no level known yet: full
    for (const [level, writeRefused, readRefused] of [
      ['full', false, false],
      ['write', false, false],
      ['draft-only', true, false],
      ['read-only', true, false],
      ['off', true, true],
    ] as const) {
      answer = { level };
      await sw.refresh();
      expect(sw.refusal('send_email', false) !== null).toBe(writeRefused);
      expect(sw.refusal('lookup_order', true) !== null).toBe(readRefused);
    }
  });

  it('keeps the last known level when the collector stops answering', async () => {
    const sw = new AutonomySwitch('svc', { baseUrl, headers: {} });
    answer = { level: 'read-only' };
    await sw.refresh();
    answer = { status: 503 };
    await sw.refresh();
    expect(sw.level).toBe('read-only');
  });
});

describe('run.tool under the kill switch', () => {
  it('refuses a writing tool with ActionsDisabledError recorded on its span, and lets read-only tools run', async () => {
    answer = { level: 'read-only' };
    const exporter = new InMemorySpanExporter();
    const c = client(exporter, { lookup_order: { readOnly: true } });
    let sent = false;
    const outcome = c.run('support', async (run) => {
      await run.tool('lookup_order', { orderId: 'A-1' }, () => 'shipped');
      await run.tool('get_weather', {}, () => 'rain', { readOnly: true });
      await run.tool('send_email', { to: 'x' }, () => (sent = true));
    });
    await expect(outcome).rejects.toBeInstanceOf(ActionsDisabledError);
    // Read before shutdown: shutting the in-memory exporter down empties it.
    await c.forceFlush();
    expect(sent).toBe(false);
    expect(asked.at(-1)).toBe('/api/autonomy/svc Bearer rlk_test');
    const spans = exporter.getFinishedSpans();
    const email = spans.find((span) => span.name === 'execute_tool send_email')!;
    expect(email.events.map((e) => e.name)).toContain('runlens.actions.disabled');
    expect(email.events.find((e) => e.name === 'runlens.actions.disabled')!.attributes).toEqual({ tool: 'send_email', level: 'read-only', service: 'svc' });
    expect(email.attributes['error.type']).toBe('ActionsDisabledError');
    expect(email.attributes['runlens.policy.rule']).toBe('autonomy');
    expect(spans.filter((span) => span.status.code === 2).map((span) => span.name)).toEqual(['execute_tool send_email', 'invoke_agent support']);
    await c.shutdown();
  });

  it('refuses a new run under off before it starts', async () => {
    answer = { level: 'off' };
    const exporter = new InMemorySpanExporter();
    const c = client(exporter);
    await expect(c.run('support', () => 'never')).rejects.toThrow(ActionsDisabledError);
    await c.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await c.shutdown();
  });

  it('is off with autonomy: false', async () => {
    answer = { level: 'off' };
    const c = new RunlensClient({ service: 'svc', exporter: new InMemorySpanExporter(), endpoint: baseUrl, autonomy: false, flushOnExit: false });
    await expect(c.run('support', () => 'ran')).resolves.toBe('ran');
    expect(c.autonomy).toBeNull();
    await c.shutdown();
  });
});
