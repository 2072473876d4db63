// The receiver driven through Hono's app.request against a real SQLite store and the real
// normaliser: what a client sees (status, body, headers) and what the database holds after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { normaliseSpan } from '@runlens/schema';
import { context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_CONFIG } from '../config.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { ExportLogsServiceResponse, ExportTraceServiceResponse, RpcStatus } from './otlp-proto.ts';
import { otlpRoutes } from './routes.ts';
import {
  CHAT_SPAN_ID,
  evaluationLogsRequest,
  genAiTraceRequest,
  jsonRequest,
  jsonSpan,
  protobufLogsBody,
  protobufTraceBody,
  ROOT_SPAN_ID,
  TRACE_ID,
} from './test-fixtures.ts';

const MiB = 1024 * 1024;
const JSON_TYPE = { 'Content-Type': 'application/json' };
const PROTOBUF_TYPE = { 'Content-Type': 'application/x-protobuf' };

let dir: string;
let store: Store;
let app: ReturnType<typeof otlpRoutes>;

async function openStore(name: string, maxQueuedSpans = 100_000): Promise<Store> {
  return openSqliteStore({ path: join(dir, name), retention: DEFAULT_CONFIG.retention, maxQueuedSpans });
}

function routesFor(target: Store, maxBodyBytes = 4 * MiB) {
  return otlpRoutes({ store: target, normalise: (span, context) => normaliseSpan(span, context), maxBodyBytes });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-ingest-'));
  store = await openStore('ingest.db');
  app = routesFor(store);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: BodyInit | Uint8Array, headers: Record<string, string>, target = app): Promise<Response> {
  // Encoders' Uint8Arrays are typed over ArrayBufferLike, which DOM's BodyInit does not name.
  return Promise.resolve(target.request(path, { method: 'POST', body: body as BodyInit, headers }));
}

async function bytes(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

/** A google.rpc.Status body, decoded from whichever encoding the response used. */
async function statusOf(response: Response): Promise<{ code: number; message: string }> {
  const body = await bytes(response);
  if (response.headers.get('content-type') === 'application/x-protobuf') {
    return RpcStatus.toObject(RpcStatus.decode(body), { defaults: true }) as { code: number; message: string };
  }
  return JSON.parse(body.toString()) as { code: number; message: string };
}

/** Spans recorded by the real OpenTelemetry SDK: a root and one child, in a fresh trace. */
async function recordOtelSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-agent' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('agent', '1.0.0');
  const root = tracer.startSpan('invoke_agent support');
  // Parent passed explicitly: a BasicTracerProvider registers no context manager.
  const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 };
  tracer.startSpan('chat gpt-4o', { attributes }, trace.setSpan(context.active(), root)).end();
  root.end();
  await provider.forceFlush();
  const spans = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

describe('exporting traces', () => {
  it('stores an OTLP/JSON export and answers 200 with {} once it is committed', async () => {
    const response = await post('/v1/traces', JSON.stringify(genAiTraceRequest()), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{}');
    // The 200 came after the commit: the spans are readable right away.
    const trace = store.getTrace(TRACE_ID);
    expect(trace?.spans.map((s) => s.spanId).sort()).toEqual([ROOT_SPAN_ID, CHAT_SPAN_ID, '8a3c60f7d188f8fa'].sort());
    expect(trace?.run).toMatchObject({ service: 'weather-agent', agent: 'weather_agent', llmCalls: 1, toolCalls: 1 });
  });

  it('stores a protobuf export and answers 200 with an empty protobuf body', async () => {
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
    const response = await post('/v1/traces', protobufTraceBody(jsonRequest([jsonSpan({ traceId })])), PROTOBUF_TYPE);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await bytes(response)).length).toBe(0);
    expect(store.getTrace(traceId)?.spans).toHaveLength(1);
  });

  it.each([
    ['protobuf', ProtobufTraceSerializer, PROTOBUF_TYPE],
    ['JSON', JsonTraceSerializer, JSON_TYPE],
  ] as const)('stores spans serialised by the real OpenTelemetry %s serializer', async (_name, serializer, headers) => {
    const spans = await recordOtelSpans();
    const response = await post('/v1/traces', Buffer.from(serializer.serializeRequest(spans)!), headers);
    expect(response.status).toBe(200);
    const trace = store.getTrace(spans[0]!.spanContext().traceId);
    expect(trace?.spans.map((s) => s.name).sort()).toEqual(['chat gpt-4o', 'invoke_agent support']);
    expect(trace?.run).toMatchObject({ service: 'otel-agent', name: 'invoke_agent support', inputTokens: 10 });
  });

  it('answers at the Langfuse OTel SDK path too', async () => {
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2';
    const response = await post('/api/public/otel/v1/traces', JSON.stringify(jsonRequest([jsonSpan({ traceId })])), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(store.getTrace(traceId)?.spans).toHaveLength(1);
  });

  it('ignores Content-Type parameters', async () => {
    const response = await post('/v1/traces', JSON.stringify({}), { 'Content-Type': 'Application/JSON; charset=utf-8' });
    expect(response.status).toBe(200);
  });

  it('inflates a gzip request body and gzips the answer only when the client accepts it', async () => {
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3';
    const body = gzipSync(JSON.stringify(jsonRequest([jsonSpan({ traceId }), jsonSpan({ traceId: 'bad' })])));
    const plain = await post('/v1/traces', body, { ...JSON_TYPE, 'Content-Encoding': 'gzip' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(await plain.text())).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });

    const gzipped = await post('/v1/traces', body, { ...JSON_TYPE, 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip, deflate' });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(await bytes(gzipped)).toString())).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'span 1: traceId must be 32 hex characters, got 3' },
    });
    expect(store.getTrace(traceId)?.spans).toHaveLength(1);
  });

  it('answers an empty protobuf body and an empty JSON export as successes', async () => {
    const protobuf = await post('/v1/traces', new Uint8Array(0), PROTOBUF_TYPE);
    expect(protobuf.status).toBe(200);
    expect((await bytes(protobuf)).length).toBe(0);
    const json = await post('/v1/traces', '{}', JSON_TYPE);
    expect([json.status, await json.text()]).toEqual([200, '{}']);
  });

  it('reads times sent as bare JSON numbers beyond 2^53 exactly', async () => {
    const traceId = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4';
    const body = JSON.stringify(jsonRequest([jsonSpan({ traceId, startTimeUnixNano: '@start', endTimeUnixNano: '@end' })]))
      .replace('"@start"', '1767225600000000123')
      .replace('"@end"', '1767225600000500123');
    const response = await post('/v1/traces', body, JSON_TYPE);
    expect([response.status, await response.text()]).toEqual([200, '{}']);
    // Rounded through a double, the end would be 101 ns off and the duration 0.500224 ms.
    expect(store.getTrace(traceId)?.spans[0]).toMatchObject({ durationMs: 0.5 });
  });
});

describe('partial success', () => {
  it('rejects a span the normaliser cannot handle and stores the others', async () => {
    const traceId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
    const fragile = otlpRoutes({
      store,
      normalise: (span, context) => {
        if (span.name === 'explode') throw new Error('unexpected attribute shape');
        return normaliseSpan(span, context);
      },
      maxBodyBytes: MiB,
    });
    const body = JSON.stringify(jsonRequest([jsonSpan({ traceId }), jsonSpan({ traceId, spanId: '2'.repeat(16), name: 'explode' })]));
    const response = await post('/v1/traces', body, JSON_TYPE, fragile);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: `span ${'2'.repeat(16)}: could not be normalised: unexpected attribute shape` },
    });
    expect(store.getTrace(traceId)?.spans).toHaveLength(1);
  });

  it('stores the valid spans and reports the rejected ones in JSON', async () => {
    const traceId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1';
    const spans = [
      jsonSpan({ traceId }),
      jsonSpan({ traceId: '0'.repeat(32) }),
      jsonSpan({ traceId, spanId: '1'.repeat(16), parentSpanId: ROOT_SPAN_ID }),
      jsonSpan({ traceId, spanId: 'abc' }),
    ];
    const response = await post('/v1/traces', JSON.stringify(jsonRequest(spans)), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'span 1: traceId must not be all zeros; span 3: spanId must be 16 hex characters, got 3' },
    });
    expect(store.getTrace(traceId)?.spans).toHaveLength(2);
  });

  it('reports rejected spans in a protobuf ExportTraceServiceResponse', async () => {
    const response = await post('/v1/traces', protobufTraceBody(jsonRequest([jsonSpan({ spanId: '00' })])), PROTOBUF_TYPE);
    expect(response.status).toBe(200);
    const answer = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(await bytes(response)), { longs: String });
    expect(answer).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: 'span 0: spanId must be 16 hex characters, got 2' } });
  });

  it('lists ten problems and counts the rest', async () => {
    const bad = Array.from({ length: 13 }, () => jsonSpan({ traceId: 'ab' }));
    const answer = (await (await post('/v1/traces', JSON.stringify(jsonRequest(bad)), JSON_TYPE)).json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe('13');
    expect(answer.partialSuccess.errorMessage).toMatch(/^span 0: traceId must be 32 hex characters, got 2; .*span 9: .*; and 3 more$/);
  });
});

describe('requests that are refused whole', () => {
  it.each([
    ['garbage bytes as protobuf', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]), PROTOBUF_TYPE, 400, 3, /^body is not a valid protobuf ExportTraceServiceRequest: /],
    ['text as protobuf', 'definitely not protobuf', PROTOBUF_TYPE, 400, 3, /^body is not (a valid )?protobuf/],
    ['invalid JSON', '{"resourceSpans": [ oops', JSON_TYPE, 400, 3, /^body is not valid JSON: /],
    ['an empty JSON body', '', JSON_TYPE, 400, 3, /^body is empty; an empty OTLP\/JSON export is \{\}$/],
    ['a content type that is not OTLP', '{}', { 'Content-Type': 'text/plain' }, 415, 3, /^Content-Type "text\/plain" is not supported; send application\/x-protobuf or application\/json$/],
    ['no content type', new Uint8Array([0x7b, 0x7d]), {}, 415, 3, /^Content-Type "" is not supported/],
    ['an encoding the receiver cannot decode', '{}', { ...JSON_TYPE, 'Content-Encoding': 'br' }, 415, 3, /^Content-Encoding "br" is not supported/],
    ['a corrupt gzip body', 'not gzip', { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, 400, 3, /^body is not valid gzip data: /],
    [
      'attributes sent as a plain object',
      JSON.stringify(jsonRequest([jsonSpan({ attributes: { 'gen_ai.request.model': 'gpt-4o' } })])),
      JSON_TYPE,
      400,
      3,
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes must be an array of .* got an object; a plain \{"name": value\} object is not OTLP$/,
    ],
    ['an OTLP logs export in JSON', JSON.stringify(evaluationLogsRequest()), JSON_TYPE, 400, 3, /^body is an OTLP logs export, not traces: send it to \/v1\/logs$/],
    ['an OTLP logs export in protobuf', protobufLogsBody(evaluationLogsRequest()), PROTOBUF_TYPE, 400, 3, /^body is an OTLP logs export, not traces: send it to \/v1\/logs$/],
  ] as const)('%s is answered with a Status body encoded like the request, and nothing is stored', async (_name, body, headers, status, code, message) => {
    const before = store.stats().spans;
    const response = await post('/v1/traces', body, headers as Record<string, string>);
    expect(response.status).toBe(status);
    const wire = (headers as Record<string, string>)['Content-Type'];
    expect(response.headers.get('content-type')).toBe(wire === 'application/x-protobuf' ? 'application/x-protobuf' : 'application/json');
    const answer = await statusOf(response);
    expect(answer.code).toBe(code);
    expect(answer.message).toMatch(message);
    expect(store.stats().spans).toBe(before);
  });

  it('refuses a gzip bomb that inflates past the cap with a 413, holding little memory', async () => {
    const member = gzipSync(Buffer.alloc(4 * MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member)); // 256 MiB inflated
    const before = store.stats().spans;
    const baseline = process.memoryUsage().arrayBuffers;
    const response = await post('/v1/traces', bomb, { ...JSON_TYPE, 'Content-Encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect((await statusOf(response)).message).toBe(
      'request body is larger than the limit of 4194304 bytes after decompression; send smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) or raise maxBodySize',
    );
    expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(64 * MiB);
    expect(store.stats().spans).toBe(before);
  });

  it('refuses a body whose declared length is over the cap with a 413', async () => {
    const response = await post('/v1/traces', 'x'.repeat(5 * MiB), JSON_TYPE);
    expect(response.status).toBe(413);
    expect((await statusOf(response)).message).toMatch(/^request body is larger than the limit of 4194304 bytes;/);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('answers %s with 405 and an Allow header', async (method) => {
    const response = await app.request('/v1/traces', { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await response.json()).toEqual({ code: 12, message: `${method} is not allowed on /v1/traces; OTLP/HTTP exports use POST` });
  });
});

describe('mounted in the collector app', () => {
  it('keeps OTLP answers and Status errors while the parent handles its own routes', async () => {
    const parent = new Hono();
    parent.route('/', app);
    parent.get('/healthz', (c) => c.json({ status: 'ok' }));
    parent.onError((error, c) => c.json({ error: error.message }, 500));
    expect((await parent.request('/healthz')).headers.get('access-control-allow-origin')).toBeNull();
    const refused = await parent.request('/v1/traces', { method: 'POST', body: '{', headers: JSON_TYPE });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 3, message: expect.stringMatching(/^body is not valid JSON/) });
    expect((await parent.request('/v1/traces')).status).toBe(405);
    expect((await parent.request('/v1/traces', { method: 'POST', body: '{}', headers: JSON_TYPE })).status).toBe(200);
  });
});

describe('browser exporters', () => {
  it('get a CORS preflight answer allowing the OTLP headers from any origin', async () => {
    const response = await app.request('/v1/traces', {
      method: 'OPTIONS',
      headers: { Origin: 'https://agent.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,authorization' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type,Content-Encoding,Authorization');
  });

  it('see the CORS header on answers, errors included', async () => {
    const ok = await post('/v1/traces', '{}', { ...JSON_TYPE, Origin: 'https://agent.example' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await post('/v1/traces', '{', { ...JSON_TYPE, Origin: 'https://agent.example' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('can be limited to configured origins', async () => {
    const limited = otlpRoutes({ store, normalise: (s, c) => normaliseSpan(s, c), maxBodyBytes: MiB, corsOrigin: ['https://app.example'] });
    const allowed = await limited.request('/v1/traces', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await limited.request('/v1/traces', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('when the store cannot take the write', () => {
  it('answers 503 with Retry-After: 1 while the write queue is full, and stores what it acknowledged', async () => {
    const small = await openStore('busy.db', 3);
    try {
      const busyApp = routesFor(small);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post('/v1/traces', JSON.stringify(jsonRequest([jsonSpan({ traceId: `c${String(i).padStart(31, '0')}` })])), JSON_TYPE, busyApp),
        ),
      );
      const refused = responses.filter((r) => r.status === 503);
      const accepted = responses.filter((r) => r.status === 200);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.headers.get('retry-after')).toBe('1');
      expect(await statusOf(refused[0]!)).toMatchObject({ code: 14, message: expect.stringMatching(/^write queue is full/) });
      expect(small.stats().spans).toBe(accepted.length);
    } finally {
      await small.close();
    }
  });

  it('answers 503 with a Retry-After and a clear message when the database is unavailable', async () => {
    const closed = await openStore('closed.db');
    const closedApp = routesFor(closed);
    await closed.close();
    const response = await post('/v1/traces', protobufTraceBody(jsonRequest([jsonSpan()])), PROTOBUF_TYPE, closedApp);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    const answer = await statusOf(response);
    expect(answer.code).toBe(14);
    expect(answer.message).toMatch(/^the database cannot take writes, nothing was stored: /);
  });
});

describe('exporting logs', () => {
  it('stores gen_ai.evaluation.result records on the judged span and counts other records as rejected', async () => {
    // The judged trace is stored by the first test of this file.
    const response = await post('/v1/logs', JSON.stringify(evaluationLogsRequest()), JSON_TYPE);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: '1 log record was not stored: Runlens keeps only gen_ai.evaluation.result events from logs' },
    });
    const chat = store.getTrace(TRACE_ID)?.spans.find((s) => s.spanId === CHAT_SPAN_ID);
    expect(chat?.events).toContainEqual(
      expect.objectContaining({ name: 'gen_ai.evaluation.result', attributes: expect.objectContaining({ 'gen_ai.evaluation.name': 'answer_relevance' }) }),
    );
  });

  it('reads the event name from the event.name attribute of older SDKs, in protobuf', async () => {
    const request = evaluationLogsRequest();
    const scope = (request.resourceLogs[0] as { scopeLogs: { logRecords: Record<string, unknown>[] }[] }).scopeLogs[0]!;
    const record = scope.logRecords[0]!;
    delete record.eventName;
    record.attributes = [...(record.attributes as unknown[]), { key: 'event.name', value: { stringValue: 'gen_ai.evaluation.result' } }];
    scope.logRecords = [record];
    const response = await post('/v1/logs', protobufLogsBody(request), PROTOBUF_TYPE);
    expect(response.status).toBe(200);
    expect((await bytes(response)).length).toBe(0);
  });

  it('reports dropped records in a protobuf ExportLogsServiceResponse', async () => {
    const request = evaluationLogsRequest();
    const scope = (request.resourceLogs[0] as { scopeLogs: { logRecords: unknown[] }[] }).scopeLogs[0]!;
    scope.logRecords = scope.logRecords.slice(1);
    const response = await post('/v1/logs', protobufLogsBody(request), PROTOBUF_TYPE);
    const answer = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(await bytes(response)), { longs: String });
    expect(answer).toMatchObject({ partialSuccess: { rejectedLogRecords: '1' } });
  });

  it('refuses a traces export sent to /v1/logs', async () => {
    const response = await post('/v1/logs', JSON.stringify(genAiTraceRequest()), JSON_TYPE);
    expect(response.status).toBe(400);
    expect((await statusOf(response)).message).toBe('body is an OTLP traces export (resourceSpans), not logs: send it to /v1/traces');
  });

  it('answers GET with 405', async () => {
    expect((await app.request('/v1/logs')).status).toBe(405);
  });
});
