// Admission before the body is read, driven through the receiver's routes with a store whose
// writes are held open by the test: what is refused, with which status, and that bytes are given back.
import { describe, expect, it } from 'vitest';
import { normaliseSpan } from '@runlens/schema';
import type { NormalisedSpan } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import { AdmissionRefusedError, IngestAdmission } from './admission.ts';
import { otlpRoutes } from './routes.ts';
import { jsonRequest, jsonSpan } from './test-fixtures.ts';

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** A store whose writes wait until `release()`; its queue depth is what the test says. */
function heldStore() {
  const waiting: (() => void)[] = [];
  const written: NormalisedSpan[] = [];
  let queueDepth = 0;
  const store = {
    path: ':memory:',
    write: (spans: NormalisedSpan[]) =>
      new Promise<void>((resolve) =>
        waiting.push(() => {
          written.push(...spans);
          resolve();
        }),
      ),
    stats: () => ({ spans: written.length, runs: 0, queueDepth, dbBytes: 0 }),
  } as unknown as Store;
  return {
    store,
    written,
    setQueueDepth: (n: number) => (queueDepth = n),
    waiting: () => waiting.length,
    release: () => waiting.splice(0).forEach((go) => go()),
  };
}

function setup(maxBytesInFlight: number, maxQueuedSpans = 1000, wait: { maxWaiting?: number; maxWaitMs?: number } = { maxWaiting: 0 }) {
  const held = heldStore();
  const admission = new IngestAdmission({ queueDepth: () => held.store.stats().queueDepth, maxQueuedSpans, maxBytesInFlight, ...wait });
  const app = otlpRoutes({ store: held.store, normalise: (span, context) => normaliseSpan(span, context), maxBodyBytes: 1 << 20, admission });
  return { held, admission, app };
}

function body(i: number): string {
  return JSON.stringify(jsonRequest([jsonSpan({ traceId: `a${String(i).padStart(31, '0')}` })]));
}

function post(app: ReturnType<typeof otlpRoutes>, payload: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', body: payload, headers: { ...JSON_TYPE, ...headers } };
  if (typeof payload !== 'string') init.duplex = 'half';
  return Promise.resolve(app.request('/v1/traces', init));
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('ingest admission', () => {
  it('refuses an export with 503 and Retry-After: 1 while others hold the byte budget, and takes it again once they are answered', async () => {
    const first = body(1);
    const { held, admission, app } = setup(Buffer.byteLength(first) + 10);
    const pending = post(app, first, { 'Content-Length': String(Buffer.byteLength(first)) });
    await until(() => held.waiting() === 1);
    expect(admission.stats()).toMatchObject({ requestsInFlight: 1, bytesInFlight: Buffer.byteLength(first) });

    const refused = await post(app, body(2), { 'Content-Length': String(Buffer.byteLength(body(2))) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ code: 14, message: expect.stringMatching(/busy .*request bytes in flight/) });

    held.release();
    expect((await pending).status).toBe(200);
    expect(admission.stats()).toMatchObject({ requestsInFlight: 0, bytesInFlight: 0, refused: 1 });
    const again = post(app, body(3), { 'Content-Length': String(Buffer.byteLength(body(3))) });
    await until(() => held.waiting() === 1);
    held.release();
    expect((await again).status).toBe(200);
    expect(held.written).toHaveLength(2);
  });

  it('refuses while the store queue is at its bound, dropping the body unparsed', async () => {
    const { held, app } = setup(1 << 20, 100);
    held.setQueueDepth(100);
    let pulled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled = true;
        controller.enqueue(new TextEncoder().encode(body(4)));
        controller.close();
      },
    }, { highWaterMark: 0 });
    const response = await post(app, stream);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ message: expect.stringMatching(/100 spans waiting to be written, bound 100/) });
    // Drained so the client reads the 503 rather than a reset, but never decoded nor written.
    expect(pulled).toBe(true);
    expect(held.written).toHaveLength(0);
  });

  it('counts a chunked body as it is read and refuses it once it passes the budget', async () => {
    const first = body(5);
    const { held, admission, app } = setup(Buffer.byteLength(first) + 100);
    const pending = post(app, first, { 'Content-Length': String(Buffer.byteLength(first)) });
    await until(() => held.waiting() === 1);
    const chunk = new TextEncoder().encode(' '.repeat(64));
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 100) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const refused = await post(app, chunked);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(sent).toBeLessThan(100);
    held.release();
    expect((await pending).status).toBe(200);
    expect(admission.stats()).toMatchObject({ requestsInFlight: 0, bytesInFlight: 0 });
  });

  it('lets an export over the budget wait, body unread, and takes it once the one ahead is answered', async () => {
    const first = body(7);
    const bytes = String(Buffer.byteLength(first));
    const { held, admission, app } = setup(Buffer.byteLength(first) + 10, 1000, { maxWaiting: 2, maxWaitMs: 5000 });
    const pending = post(app, first, { 'Content-Length': bytes });
    await until(() => held.waiting() === 1);
    let pulled = false;
    const second = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true;
          controller.enqueue(new TextEncoder().encode(body(8)));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const waiting = post(app, second, { 'Content-Length': String(Buffer.byteLength(body(8))) });
    await until(() => admission.stats().waiting === 1);
    // Waiting costs no body bytes: nothing was read from it.
    expect(pulled).toBe(false);
    expect(admission.stats()).toMatchObject({ requestsInFlight: 1, bytesInFlight: Buffer.byteLength(first), refused: 0 });

    held.release();
    expect((await pending).status).toBe(200);
    await until(() => held.waiting() === 1);
    expect(pulled).toBe(true);
    held.release();
    expect((await waiting).status).toBe(200);
    expect(held.written).toHaveLength(2);
    expect(admission.stats()).toMatchObject({ requestsInFlight: 0, bytesInFlight: 0, waiting: 0, waited: 1, refused: 0 });
  });

  it('refuses at once when the waiting line is full, and after maxWaitMs an export that waited', async () => {
    const first = body(9);
    const size = { 'Content-Length': String(Buffer.byteLength(first)) };
    const { held, admission, app } = setup(Buffer.byteLength(first) + 10, 1000, { maxWaiting: 1, maxWaitMs: 300 });
    const pending = post(app, first, size);
    await until(() => held.waiting() === 1);
    const began = performance.now();
    const waited = post(app, body(10), size);
    await until(() => admission.stats().waiting === 1);

    const full = await post(app, body(11), size);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('1');
    expect(await full.json()).toMatchObject({ message: expect.stringMatching(/busy .*request bytes in flight/) });

    const timedOut = await waited;
    expect(timedOut.status).toBe(503);
    expect(performance.now() - began).toBeGreaterThanOrEqual(290);
    expect(timedOut.headers.get('retry-after')).toBe('1');
    expect(await timedOut.json()).toMatchObject({ message: expect.stringMatching(/busy .*\(waited 300 ms\)/) });
    expect(admission.stats()).toMatchObject({ waiting: 0, waited: 1, refused: 2 });

    held.release();
    expect((await pending).status).toBe(200);
    expect(held.written).toHaveLength(1);
  });

  it('lets exports wait for a full store queue and takes them once it drains', async () => {
    const { held, admission, app } = setup(1 << 20, 100, { maxWaiting: 4, maxWaitMs: 5000 });
    held.setQueueDepth(100);
    const waiting = post(app, body(12), { 'Content-Length': String(Buffer.byteLength(body(12))) });
    await until(() => admission.stats().waiting === 1);
    // Nothing in flight will wake it: the queue is looked at again shortly.
    held.setQueueDepth(0);
    await until(() => held.waiting() === 1);
    held.release();
    expect((await waiting).status).toBe(200);
  });

  it('takes a body larger than the budget when nothing else is in flight', async () => {
    const { held, app } = setup(10);
    const pending = post(app, body(6), { 'Content-Length': String(Buffer.byteLength(body(6))) });
    await until(() => held.waiting() === 1);
    held.release();
    expect((await pending).status).toBe(200);
  });

  it('asks refused exporters to come back later the more of them there are, and after a quiet second at 1 s again', async () => {
    let now = 10_000;
    const admission = new IngestAdmission({ queueDepth: () => 0, maxQueuedSpans: 1000, maxBytesInFlight: 100, maxWaiting: 0, now: () => now });
    const refusal = async () => {
      const error = await admission.acquire(100).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AdmissionRefusedError);
      return (error as AdmissionRefusedError).retryAfterSeconds;
    };
    await admission.acquire(60); // holds the budget: every other export is refused
    expect(await refusal()).toBe(1);
    // 12 refusals against 1 admission in that second: 12 × 1 s / 1 → at most 5 s.
    for (let i = 0; i < 11; i++) await refusal();
    now += 1000;
    expect(await refusal()).toBe(5);
    expect(admission.stats().retryAfterSeconds).toBe(5);
    // That second also admits two exports: 1 refusal × 5 s / 2 admissions → 3 s in the next.
    admission.release(60);
    await admission.acquire(60);
    await admission.acquire(40);
    now += 1000;
    expect(await refusal()).toBe(3);
    // A second with nothing counted: back to the minimum.
    now += 2000;
    expect(await refusal()).toBe(1);
  });
});
