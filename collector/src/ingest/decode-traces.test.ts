import { describe, expect, it } from 'vitest';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { decodeTraceRequest } from './decode-traces.ts';
import { InvalidRequestError } from './errors.ts';
import { JSON_WIRE, PROTOBUF_WIRE } from './wire.ts';
import {
  CHAT_SPAN_ID,
  evaluationLogsRequest,
  genAiTraceRequest,
  jsonRequest,
  jsonSpan,
  protobufLogsBody,
  protobufTraceBody,
  ROOT_SPAN_ID,
  TOOL_SPAN_ID,
  TRACE_ID,
} from './test-fixtures.ts';

const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const decodeJson = (value: unknown) => decodeTraceRequest(json(value), JSON_WIRE);
const spansOf = (decoded: ReturnType<typeof decodeJson>) => decoded.batches.flatMap((b) => b.spans);

function requestError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('decoding OTLP/JSON', () => {
  it('turns a GenAI trace into spans with exact BigInt times, hex ids and plain JSON attributes', () => {
    const decoded = decodeJson(genAiTraceRequest());
    expect(decoded).toMatchObject({ accepted: 3, rejected: 0, problems: [] });
    expect(decoded.batches).toHaveLength(1);
    expect(decoded.batches[0]!.context).toEqual({
      resource: { 'service.name': 'weather-agent' },
      scope: { name: 'my-agent-sdk', version: '0.1.0' },
    });
    const [root, chat, tool] = spansOf(decoded);
    expect(root).toMatchObject({ traceId: TRACE_ID, spanId: ROOT_SPAN_ID, parentSpanId: null, kind: 1, status: { code: 0, message: '' } });
    expect(chat).toEqual({
      traceId: TRACE_ID,
      spanId: CHAT_SPAN_ID,
      parentSpanId: ROOT_SPAN_ID,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: 1767225600100000000n,
      endTimeUnixNano: 1767225601400000001n,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 812,
        'gen_ai.usage.output_tokens': 21,
        'gen_ai.response.finish_reasons': ['tool_call'],
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.stream': false,
      },
      events: [{ name: 'gen_ai.content.prompt', timeUnixNano: 1767225601000000007n, attributes: { n: 1 } }],
      links: [],
      status: { code: 0, message: '' },
    });
    expect(tool!.attributes).toEqual({
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.arguments': { city: 'Paris' },
      'tool.payload': Buffer.from('rain').toString('base64'),
    });
    expect(tool!.status).toEqual({ code: 2, message: 'upstream timeout' });
  });

  it('accepts snake_case keys, enum names and uppercase hex ids like the reference collector', () => {
    const decoded = decodeJson({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: TRACE_ID.toUpperCase(),
                  span_id: CHAT_SPAN_ID.toUpperCase(),
                  parent_span_id: ROOT_SPAN_ID,
                  name: 'chat',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: '1767225600000000000',
                  end_time_unix_nano: '1767225601000000000',
                  attributes: [{ key: 'n', value: { int_value: '7' } }, { key: 's', value: { string_value: 'x' } }],
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(spansOf(decoded)[0]).toMatchObject({
      traceId: TRACE_ID,
      spanId: CHAT_SPAN_ID,
      parentSpanId: ROOT_SPAN_ID,
      kind: 3,
      startTimeUnixNano: 1767225600000000000n,
      attributes: { n: 7, s: 'x' },
      status: { code: 2, message: 'boom' },
    });
  });

  it('reads times sent as bare JSON numbers beyond 2^53 exactly', () => {
    const text = JSON.stringify(jsonRequest([jsonSpan({ startTimeUnixNano: '@start', endTimeUnixNano: '@end' })]))
      .replace('"@start"', '1767225600000000123')
      .replace('"@end"', ' 1767225600000500123 ');
    const span = spansOf(decodeJson(text))[0]!;
    expect(span.startTimeUnixNano).toBe(1767225600000000123n);
    expect(span.endTimeUnixNano).toBe(1767225600000500123n);
  });

  it('keeps a 64-bit intValue beyond 2^53 exact as decimal text, even when sent as a bare number', () => {
    const text = JSON.stringify(jsonRequest([jsonSpan({ attributes: [{ key: 'big', value: { intValue: '@big' } }, { key: 'quoted', value: { intValue: '9007199254740993' } }] })]))
      .replace('"@big"', '9223372036854775807');
    expect(spansOf(decodeJson(text))[0]!.attributes).toEqual({ big: '9223372036854775807', quoted: '9007199254740993' });
  });

  it('leaves a number that only looks like a time inside a string value untouched', () => {
    const inner = '{"startTimeUnixNano": 1767225600000000123}';
    const span = spansOf(decodeJson(jsonRequest([jsonSpan({ attributes: [{ key: 'raw', value: { stringValue: inner } }] })])))[0]!;
    expect(span.attributes.raw).toBe(inner);
  });

  it('rejects a span whose time is a JSON number in a form that lost precision, saying how to send it', () => {
    const text = JSON.stringify(jsonRequest([jsonSpan({ startTimeUnixNano: '@start' })])).replace('"@start"', '1.767225600000000123e18');
    const decoded = decodeJson(text);
    expect(decoded.accepted).toBe(0);
    expect(decoded.problems).toEqual([
      'span 0: startTimeUnixNano was sent as a JSON number above 2^53 in a form that loses precision (1767225600000000000); send 64-bit integers as decimal strings, as OTLP/JSON requires',
    ]);
  });

  it('accepts small times sent as JSON numbers', () => {
    const span = spansOf(decodeJson(jsonRequest([jsonSpan({ startTimeUnixNano: 1000, endTimeUnixNano: 2000 })])))[0]!;
    expect([span.startTimeUnixNano, span.endTimeUnixNano]).toEqual([1000n, 2000n]);
  });

  it('treats {} as an empty export and ignores unknown fields', () => {
    expect(decodeJson({})).toEqual({ batches: [], accepted: 0, rejected: 0, problems: [] });
    expect(decodeJson({ resourceSpans: [], extra: 1 }).accepted).toBe(0);
  });

  it('refuses an empty JSON body and invalid JSON as request errors', () => {
    expect(requestError(() => decodeTraceRequest(Buffer.alloc(0), JSON_WIRE))).toBe('body is empty; an empty OTLP/JSON export is {}');
    expect(requestError(() => decodeJson('{"resourceSpans": [ oops'))).toMatch(/^body is not valid JSON: /);
    expect(requestError(() => decodeJson('[1, 2]'))).toMatch(/must be an OTLP ExportTraceServiceRequest .* got an array/);
  });
});

describe('validating spans', () => {
  it.each([
    ['a trace id of the wrong length', { traceId: 'abc' }, 'traceId must be 32 hex characters, got 3'],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }, 'traceId must not be all zeros'],
    ['a trace id that is not hex', { traceId: 'z'.repeat(32) }, `traceId must be hex, got "${'z'.repeat(32)}"`],
    ['a base64 trace id', { traceId: Buffer.from(TRACE_ID, 'hex').toString('base64') }, 'traceId must be 32 hex characters, got 24; it looks base64-encoded, but OTLP/JSON ids are hex'],
    ['a missing span id', { spanId: undefined }, 'spanId is missing (it must be 16 hex characters)'],
    ['a span id of the wrong length', { spanId: '0515' }, 'spanId must be 16 hex characters, got 4'],
    ['an all-zero span id', { spanId: '0'.repeat(16) }, 'spanId must not be all zeros'],
    ['a parent id of the wrong length', { parentSpanId: 'abcd' }, 'parentSpanId must be 16 hex characters, got 4'],
    ['a numeric trace id', { traceId: 12 }, 'traceId must be a hex string, got a number'],
    ['a missing start time', { startTimeUnixNano: undefined }, 'startTimeUnixNano is missing'],
    ['an end before the start', { endTimeUnixNano: '1767225599000000000' }, 'endTimeUnixNano (1767225599000000000) is before startTimeUnixNano (1767225600000000000)'],
    ['a time after 2^63 - 1 ns', { endTimeUnixNano: '18446744073709551615' }, 'endTimeUnixNano 18446744073709551615 is after the year 2262 (2^63 - 1 ns)'],
    ['a time that is not a number', { startTimeUnixNano: 'soon' }, 'startTimeUnixNano must be a decimal integer string, got "soon"'],
    ['an event with a bad time', { events: [{ name: 'e', timeUnixNano: 'x' }] }, 'events[0].timeUnixNano must be a decimal integer string, got "x"'],
    ['a link with a bad id', { links: [{ traceId: TRACE_ID, spanId: '12' }] }, 'links[0].spanId must be 16 hex characters, got 2'],
  ])('%s rejects that span alone, with a message naming the field', (_name, overrides, message) => {
    const good = jsonSpan({ spanId: TOOL_SPAN_ID });
    const decoded = decodeJson(jsonRequest([good, jsonSpan(overrides), good]));
    expect(decoded).toMatchObject({ accepted: 2, rejected: 1, problems: [`span 1: ${message}`] });
  });

  it('reads an empty parent id as a root span', () => {
    expect(spansOf(decodeJson(jsonRequest([jsonSpan({ parentSpanId: '' })])))[0]!.parentSpanId).toBeNull();
  });

  it('numbers spans across resources and scopes and keeps at most ten messages', () => {
    const bad = Array.from({ length: 12 }, () => jsonSpan({ traceId: 'ab' }));
    const request = { resourceSpans: [jsonRequest([jsonSpan()]).resourceSpans[0], jsonRequest(bad).resourceSpans[0]] };
    const decoded = decodeJson(request);
    expect(decoded).toMatchObject({ accepted: 1, rejected: 12 });
    expect(decoded.problems).toHaveLength(10);
    expect(decoded.problems[0]).toBe('span 1: traceId must be 32 hex characters, got 2');
  });

  it('refuses attributes sent as a plain object, naming where and what OTLP expects', () => {
    const message = requestError(() => decodeJson(jsonRequest([jsonSpan(), jsonSpan({ attributes: { 'gen_ai.request.model': 'gpt-4o' } })])));
    expect(message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[1].attributes must be an array of {"key": …, "value": {"stringValue": …}} pairs (OTLP KeyValue list), got an object; a plain {"name": value} object is not OTLP',
    );
  });

  it('refuses resource attributes sent as a plain object', () => {
    const request = jsonRequest([jsonSpan()]);
    (request.resourceSpans[0] as { resource: unknown }).resource = { attributes: { 'service.name': 'svc' } };
    expect(requestError(() => decodeJson(request))).toMatch(/^resourceSpans\[0\]\.resource\.attributes must be an array/);
  });

  it('refuses an attribute value that is not an AnyValue, naming the key', () => {
    const message = requestError(() => decodeJson(jsonRequest([jsonSpan({ attributes: [{ key: 'gen_ai.request.model', value: 'gpt-4o' }] })])));
    expect(message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes[0] ("gen_ai.request.model").value must be an OTLP AnyValue such as {"stringValue": "text"}, got a string',
    );
  });

  it('refuses a malformed value deep inside a kvlist with its full path', () => {
    const value = { kvlistValue: { values: [{ key: 'inner', value: { arrayValue: { values: [{ intValue: 'seven' }] } } }] } };
    const message = requestError(() => decodeJson(jsonRequest([jsonSpan({ attributes: [{ key: 'outer', value }] })])));
    expect(message).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes[0] ("outer").value.kvlistValue.values[0] ("inner").value.arrayValue.values[0].intValue must be an integer or a decimal string, got "seven"',
    );
  });

  it('stores an attribute named __proto__ as data, not as the prototype', () => {
    const span = spansOf(decodeJson(jsonRequest([jsonSpan({ attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }] })])))[0]!;
    expect(Object.keys(span.attributes)).toEqual(['__proto__']);
    expect((span.attributes as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an OTLP logs export in JSON, saying where logs go', () => {
    expect(requestError(() => decodeJson(evaluationLogsRequest()))).toBe('body is an OTLP logs export, not traces: send it to /v1/logs');
  });

  it('refuses a request whose spans all lack ids, as a logs export decodes that way', () => {
    const message = requestError(() => decodeJson(jsonRequest([{ name: 'a' }, { name: 'b' }])));
    expect(message).toMatch(/^no span has a traceId or spanId.*send it to \/v1\/logs$/);
  });
});

describe('decoding OTLP/protobuf', () => {
  it('gives the same spans as the same request in JSON', () => {
    const request = genAiTraceRequest();
    const fromProtobuf = decodeTraceRequest(Buffer.from(protobufTraceBody(request)), PROTOBUF_WIRE);
    expect(fromProtobuf).toEqual(decodeJson(request));
  });

  it('decodes what the real OpenTelemetry protobuf serializer sends, ids and nanosecond times exact', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'otel-agent' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('agent-lib', '2.0.0');
    // [seconds, nanoseconds] hrtime input keeps nanosecond precision through the SDK.
    const root = tracer.startSpan('invoke_agent', { kind: SpanKind.SERVER, startTime: [1767225600, 123], attributes: { 'gen_ai.agent.name': 'a', turns: 3, ok: true, tags: ['x', 'y'] } });
    root.addEvent('runlens.escalation', { reason: 'angry customer' }, [1767225601, 5]);
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    root.end([1767225602, 999_999_999]);
    await provider.forceFlush();
    const [span] = memory.getFinishedSpans();
    await provider.shutdown();
    const body = ProtobufTraceSerializer.serializeRequest([span!])!;

    const decoded = decodeTraceRequest(Buffer.from(body), PROTOBUF_WIRE);
    expect(decoded.batches[0]!.context).toMatchObject({ resource: { 'service.name': 'otel-agent' }, scope: { name: 'agent-lib', version: '2.0.0' } });
    expect(decoded.batches[0]!.spans[0]).toEqual({
      traceId: span!.spanContext().traceId,
      spanId: span!.spanContext().spanId,
      parentSpanId: null,
      name: 'invoke_agent',
      kind: 2,
      startTimeUnixNano: 1767225600000000123n,
      endTimeUnixNano: 1767225602999999999n,
      attributes: { 'gen_ai.agent.name': 'a', turns: 3, ok: true, tags: ['x', 'y'] },
      events: [{ name: 'runlens.escalation', timeUnixNano: 1767225601000000005n, attributes: { reason: 'angry customer' } }],
      links: [],
      status: { code: 2, message: 'failed' },
    });
  });

  it('treats a zero-length body as an empty export', () => {
    expect(decodeTraceRequest(Buffer.alloc(0), PROTOBUF_WIRE).accepted).toBe(0);
  });

  it('refuses garbage bytes and text that protobuf would skip as unknown fields', () => {
    expect(requestError(() => decodeTraceRequest(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]), PROTOBUF_WIRE))).toMatch(
      /^body is not a valid protobuf ExportTraceServiceRequest: /,
    );
    expect(requestError(() => decodeTraceRequest(Buffer.from('hello'), PROTOBUF_WIRE))).toMatch(/^body is not a protobuf ExportTraceServiceRequest|^body is not a valid protobuf/);
  });

  it('recognises a protobuf logs export sent as traces', () => {
    const body = Buffer.from(protobufLogsBody(evaluationLogsRequest()));
    expect(requestError(() => decodeTraceRequest(body, PROTOBUF_WIRE))).toBe('body is an OTLP logs export, not traces: send it to /v1/logs');
  });

  it('validates protobuf ids by byte length', () => {
    const body = protobufTraceBody(jsonRequest([jsonSpan({ traceId: 'abcdef' })]));
    expect(decodeTraceRequest(Buffer.from(body), PROTOBUF_WIRE).problems).toEqual(['span 0: traceId must be 32 hex characters, got 6']);
  });
});
