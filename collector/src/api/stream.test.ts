import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** The real store, counting live onRunsChanged subscriptions so a test can see them released. */
async function observedStore(): Promise<{ store: Store; subscriptions: () => number }> {
  const path = join(mkdtempSync(join(tmpdir(), 'runlens-stream-')), 'runlens.db');
  const real = await openSqliteStore({ path, retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 1000 });
  stores.push(real);
  let active = 0;
  const store = new Proxy(real, {
    get(target, property) {
      if (property === 'onRunsChanged') {
        return (listener: Parameters<Store['onRunsChanged']>[0]) => {
          active++;
          const unsubscribe = target.onRunsChanged(listener);
          return () => {
            active--;
            unsubscribe();
          };
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, subscriptions: () => active };
}

/** Reads the stream until `text` (a string or pattern) has arrived; returns everything read. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string | RegExp, timeoutMs = 5000): Promise<string> {
  const decoder = new TextDecoder();
  let received = '';
  const deadline = Date.now() + timeoutMs;
  while (typeof text === 'string' ? !received.includes(text) : !text.test(received)) {
    if (Date.now() > deadline) throw new Error(`"${text}" not received; got ${JSON.stringify(received)}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before "${text}"; got ${JSON.stringify(received)}`);
    received += decoder.decode(value, { stream: true });
  }
  return received;
}

const OTLP_RUN = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'stream-test' } }] },
      scopeSpans: [
        {
          scope: { name: 't' },
          spans: [
            {
              traceId: '5b8aa5a2d2c872e8321cf37308d69df2',
              spanId: '051581bf3cb55c13',
              name: 'invoke_agent weather_agent',
              kind: 1,
              startTimeUnixNano: String(BigInt(Date.now() - 2000) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
              attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }],
            },
          ],
        },
      ],
    },
  ],
});

describe('GET /api/stream', () => {
  it('sends a run event with the Run JSON when a run is stored', async () => {
    const { store } = await observedStore();
    const app = createApp({ store, config: DEFAULT_CONFIG });
    const response = await app.request('/api/stream');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    await readUntil(reader, ': connected');

    const posted = await app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: OTLP_RUN });
    expect(posted.status).toBe(200);
    // One SSE message: `event: run`, `data: <Run JSON>`, `id: <traceId>`, in any order, then a blank line.
    const received = await readUntil(reader, /event: run\n[\s\S]*?\n\n/);
    const message = received.slice(received.indexOf('event: run'));
    const data = /^data: (.*)$/m.exec(message)![1]!;
    expect(JSON.parse(data)).toMatchObject({ traceId: '5b8aa5a2d2c872e8321cf37308d69df2', service: 'stream-test', outcome: 'success' });
    await reader.cancel();
  });

  it('keeps the connection alive with heartbeat comments', async () => {
    const { store } = await observedStore();
    const app = createApp({ store, config: DEFAULT_CONFIG, heartbeatMs: 50 });
    const reader = (await app.request('/api/stream')).body!.getReader();
    expect(await readUntil(reader, ': heartbeat\n\n')).toContain(': connected\n\n');
    await reader.cancel();
  });

  it('releases its subscription when the client goes away', async () => {
    const { store, subscriptions } = await observedStore();
    const app = createApp({ store, config: DEFAULT_CONFIG });
    const reader = (await app.request('/api/stream')).body!.getReader();
    await readUntil(reader, ': connected');
    expect(subscriptions()).toBe(1);
    await reader.cancel();
    await expect.poll(subscriptions, { timeout: 2000 }).toBe(0);
  });

  it('ends every open stream at shutdown', async () => {
    const { store, subscriptions } = await observedStore();
    const shutdown = new AbortController();
    const app = createApp({ store, config: DEFAULT_CONFIG, shutdown: shutdown.signal });
    const reader = (await app.request('/api/stream')).body!.getReader();
    await readUntil(reader, ': connected');
    shutdown.abort();
    for (;;) if ((await reader.read()).done) break;
    expect(subscriptions()).toBe(0);
  });
});
