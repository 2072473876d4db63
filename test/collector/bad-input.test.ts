// Malformed and hostile requests over raw HTTP: each gets the status the OTLP spec names and a
// message that says what was wrong, and none of them changes what the database holds.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetail } from '@runlens/schema';
import { ExportLogsServiceRequest, RpcStatus } from '../../collector/src/ingest/otlp-proto.ts';
import { startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns } from '../helpers/otel.ts';
import { countStored, getOk } from '../helpers/api.ts';

let collector: RunningCollector;
let before: { spans: number; runs: number };

beforeAll(async () => {
  collector = await startCollector();
  // Something already stored, so "unchanged" means more than "still empty".
  await sendAgentRuns({ url: collector.url }, { serviceName: 'support-agent' }, [
    { agent: 'support_agent', question: 'hello', answer: 'hi', tools: [{ name: 'lookup', arguments: { id: 1 }, result: 'ok' }] },
  ]);
  before = await countStored(collector.url);
});

afterAll(async () => {
  await collector?.stop();
});

interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

async function post(body: Uint8Array | string, headers: Record<string, string>, path = '/v1/traces'): Promise<Answer> {
  const response = await fetch(collector.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('protobuf')) {
    // A protobuf failure body is a google.rpc.Status {code, message}.
    const status = bytes.length > 0 ? (RpcStatus.toObject(RpcStatus.decode(bytes)) as Record<string, unknown>) : {};
    return { status: response.status, contentType, body: status };
  }
  const text = new TextDecoder().decode(bytes);
  return { status: response.status, contentType, body: contentType.includes('json') && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : { raw: text } };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
const SPAN_ID = '051581bf3cb55c13';

function request(span: Record<string, unknown>): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad-client' } }] }, scopeSpans: [{ scope: { name: 'x' }, spans: [span] }] }],
  });
}

function span(overrides: Record<string, unknown>): Record<string, unknown> {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225601000000000', ...overrides };
}

/** The OTLP Status message (request rejected) or the partial-success message (spans rejected). */
function messageOf(answer: Answer): string {
  const partial = answer.body.partialSuccess as { errorMessage?: string } | undefined;
  return String(answer.body.message ?? partial?.errorMessage ?? answer.body.raw ?? '');
}

describe('a request that is not OTLP', () => {
  it('garbage bytes as protobuf are a 400', async () => {
    const answer = await post(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]), { 'Content-Type': 'application/x-protobuf' });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/x-protobuf');
    expect(answer.body).toMatchObject({ code: 3 });
    expect(messageOf(answer)).toMatch(/^body is not a valid protobuf ExportTraceServiceRequest/);
  });

  it('garbage text as JSON is a 400 saying it is not JSON', async () => {
    const answer = await post('{"resourceSpans": [ oops', JSON_HEADERS);
    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toMatch(/JSON/);
  });

  it('a content type other than JSON or protobuf is a 415', async () => {
    const answer = await post(request(span({})), { 'Content-Type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(messageOf(answer)).toMatch(/application\/json|application\/x-protobuf/);
  });

  it('attributes sent as a plain object are a 400 pointing at them', async () => {
    const answer = await post(request(span({ attributes: { 'gen_ai.request.model': 'gpt-4o' } })), JSON_HEADERS);
    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toMatch(/attributes/);
  });

  it('an OTLP logs export sent to /v1/traces is refused', async () => {
    const logs = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'judge' } }] },
            scopeLogs: [{ logRecords: [{ timeUnixNano: '1767225600000000000', severityNumber: 9, body: { stringValue: 'evaluation done' }, traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(SPAN_ID, 'hex') }] }],
          },
        ],
      }),
    ).finish();
    const answer = await post(logs, { 'Content-Type': 'application/x-protobuf' });
    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toBe('body is an OTLP logs export, not traces: send it to /v1/logs');
  });

  it('a gzip bomb that inflates past the body cap is a 413', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200_000);
    const answer = await post(bomb, { ...JSON_HEADERS, 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(messageOf(answer)).toMatch(/larger|limit|cap|exceeds/i);
  });

  it('GET on the receiver is a 405', async () => {
    const response = await fetch(collector.url + '/v1/traces');
    expect(response.status).toBe(405);
  });
});

describe('spans that are individually invalid', () => {
  it.each([
    ['a trace id of the wrong length', { traceId: 'abc123' }, /traceId must be 32 hex characters, got 6/],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }, /traceId must not be all zeros/],
    ['a span id of the wrong length', { spanId: '0515' }, /spanId must be 16 hex characters, got 4/],
    ['an all-zero span id', { spanId: '0'.repeat(16) }, /spanId must not be all zeros/],
  ])('%s is rejected in a partial success naming the field', async (_name, overrides, message) => {
    const answer = await post(request(span(overrides)), JSON_HEADERS);
    expect(answer.status).toBe(200);
    expect(answer.body.partialSuccess).toMatchObject({ rejectedSpans: '1' });
    expect(messageOf(answer)).toMatch(message);
  });
});

describe('requests with nothing in them', () => {
  it('an empty JSON export is a success that stores nothing', async () => {
    const answer = await post('{}', JSON_HEADERS);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
  });

  it('an empty protobuf body is a success that stores nothing', async () => {
    const answer = await post(new Uint8Array(0), { 'Content-Type': 'application/x-protobuf' });
    expect(answer.status).toBe(200);
  });

  it('an empty JSON body is a 400', async () => {
    const answer = await post('', JSON_HEADERS);
    expect(answer.status).toBe(400);
  });
});

describe('after all the bad requests', () => {
  it('the database holds exactly what it held before', async () => {
    expect(await countStored(collector.url)).toEqual(before);
  });
});

describe('times as JSON numbers beyond 2^53', () => {
  it('are read exactly, not rounded through a double', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    // Bare numbers, as some hand-written exporters send: 1767225600000000123 > 2^53.
    const body = request(span({ traceId, spanId: '1111111111111111', startTimeUnixNano: '@START', endTimeUnixNano: '@END' }))
      .replace('"@START"', '1767225600000000123')
      .replace('"@END"', '1767225600000500123');
    const answer = await post(body, JSON_HEADERS);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
    const trace = await getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`);
    expect(trace.spans[0]!.durationMs).toBe(0.5);
    expect(Math.floor(trace.run.startTime)).toBe(1767225600000);
  });
});
