import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeParsedTraceRequest, decodeTraceRequest } from './decode-traces.ts';
import { otlpRoot } from './otlp-proto.ts';
import { readProtobufTraces } from './protobuf-traces.ts';
import { CHAT_SPAN_ID, evaluationLogsRequest, genAiTraceRequest, jsonRequest, jsonSpan, protobufLogsBody, protobufTraceBody, ROOT_SPAN_ID, TRACE_ID } from './test-fixtures.ts';
import { PROTOBUF_WIRE } from './wire.ts';

/** What the receiver answered before the direct reader: protobufjs, toObject, the JSON-shaped walk. */
const reference = (body: Buffer) => decodeParsedTraceRequest(PROTOBUF_WIRE.parseTraceRequest(body), PROTOBUF_WIRE);

/** A result or an error, comparable with toEqual. */
function outcome(decode: () => unknown): unknown {
  try {
    return { value: decode() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Decodes with the direct reader, which must take the body, and checks it against the reference. */
function readAndCompare(body: Buffer) {
  const read = readProtobufTraces(body);
  expect(read, 'the direct reader left a canonical body to protobufjs').not.toBeNull();
  expect(read).toEqual(reference(body));
  return read!;
}

async function exportedBody(): Promise<Buffer> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-agent', 'service.instance.id': 'i-1', 'host.cpus': 8 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('agent-lib', '2.0.0');
  const root = tracer.startSpan('invoke_agent', {
    kind: SpanKind.SERVER,
    startTime: [1767225600, 123],
    attributes: { 'gen_ai.agent.name': 'a', turns: 3, ratio: 0.25, ok: true, tags: ['x', 'y'], counts: [1, 2], flags: [true, false], big: 2 ** 53 + 2, negative: -7, empty: '' },
  });
  root.addEvent('runlens.escalation', { reason: 'angry customer' }, [1767225601, 5]);
  root.addEvent('bare', undefined, [1767225601, 6]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  const child = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, startTime: [1767225600, 500], links: [{ context: root.spanContext(), attributes: { why: 'retry' } }, { context: root.spanContext() }] });
  child.setStatus({ code: SpanStatusCode.OK });
  child.end([1767225601, 0]);
  tracer.startSpan('', { startTime: [1767225600, 600] }).end([1767225600, 600]);
  root.end([1767225602, 999_999_999]);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

/** Every AnyValue kind, nested, with the edge values of each. */
function everyValueRequest() {
  const values: object[] = [
    { stringValue: '' },
    { stringValue: 'héllo ✓' },
    { boolValue: false },
    { boolValue: true },
    { intValue: '0' },
    { intValue: '-1' },
    { intValue: '9007199254740991' },
    { intValue: '9007199254740993' },
    { intValue: '-9223372036854775808' },
    { intValue: '9223372036854775807' },
    { doubleValue: 0 },
    { doubleValue: -2.5 },
    { doubleValue: Number.NaN },
    { doubleValue: Number.POSITIVE_INFINITY },
    { doubleValue: Number.NEGATIVE_INFINITY },
    { bytesValue: Buffer.from('rain').toString('base64') },
    { bytesValue: '' },
    { arrayValue: {} },
    { arrayValue: { values: [{ stringValue: 'a' }, {}, { arrayValue: { values: [{ intValue: '2' }] } }] } },
    { kvlistValue: {} },
    { kvlistValue: { values: [{ key: 'inner', value: { kvlistValue: { values: [{ key: 'deep', value: { boolValue: true } }] } } }, { key: 'none' }] } },
    {},
  ];
  const attributes: { key: string; value: object }[] = values.map((value, i) => ({ key: `k${i}`, value }));
  attributes.push({ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }, { key: 'k0', value: { stringValue: 'again' } });
  return jsonRequest([jsonSpan({ attributes, events: [{ name: 'e', timeUnixNano: '1767225600500000000', attributes }], links: [{ traceId: TRACE_ID, spanId: ROOT_SPAN_ID, attributes }] })]);
}

// Hand-written protobuf, to add what no serializer sends.
function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) bytes.push((value % 128) | 0x80);
  bytes.push(value);
  return Buffer.from(bytes);
}
const tag = (field: number, wireType: number) => varint(field * 8 + wireType);
const delimited = (field: number, payload: Buffer) => Buffer.concat([tag(field, 2), varint(payload.length), payload]);
/** One unknown field of each wire type protobuf 3 has (field numbers nobody declares). */
const UNKNOWN_FIELDS = Buffer.concat([
  tag(90, 0), varint(300),
  tag(91, 1), Buffer.alloc(8, 7),
  delimited(92, Buffer.from('unknown')),
  tag(93, 5), Buffer.alloc(4, 9),
]);
const type = (name: string) => otlpRoot.lookupType(name);
const encode = (name: string, value: object) => Buffer.from(type(name).encode(type(name).fromObject(value)).finish());

describe('reading OTLP/protobuf traces directly', () => {
  it('gives what protobufjs + toObject + the JSON-shaped walk gave, on the real OpenTelemetry serializer output', async () => {
    const read = readAndCompare(await exportedBody());
    expect(read.accepted).toBe(3);
    const [root] = read.batches[0]!.spans.filter((s) => s.name === 'invoke_agent');
    expect(root).toMatchObject({ kind: 2, startTimeUnixNano: 1767225600000000123n, endTimeUnixNano: 1767225602999999999n, status: { code: 2, message: 'failed' } });
    expect(root!.attributes).toMatchObject({ big: '9007199254740994', negative: -7, empty: '', flags: [true, false] });
  });

  it('reads every AnyValue kind, nested, exactly as before (int64 beyond 2^53 as text, NaN as "NaN", bytes as base64)', () => {
    const read = readAndCompare(protobufTraceBody(everyValueRequest()));
    const attributes = read.batches[0]!.spans[0]!.attributes;
    expect(attributes).toMatchObject({ k7: '9007199254740993', k8: '-9223372036854775808', k12: 'NaN', k15: 'cmFpbg==', k21: null, k0: 'again' });
    expect(Object.keys(attributes)).toContain('__proto__');
    expect((attributes as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads the GenAI fixture and absent fields (no scope, resource, name, kind or status) as before', () => {
    readAndCompare(protobufTraceBody(genAiTraceRequest()));
    const bare = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: CHAT_SPAN_ID, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }, {}] };
    expect(readAndCompare(protobufTraceBody(bare)).batches[0]!.context).toEqual({ resource: {}, scope: { name: '', version: null } });
  });

  it('rejects spans one by one with the same messages as before', () => {
    const spans = [
      jsonSpan({ traceId: 'abcdef' }),
      jsonSpan({ spanId: undefined }),
      jsonSpan({ traceId: '0'.repeat(32) }),
      jsonSpan({ parentSpanId: 'abcd' }),
      jsonSpan({ startTimeUnixNano: undefined }),
      jsonSpan({ endTimeUnixNano: '1767225599000000000' }),
      jsonSpan({ endTimeUnixNano: '18446744073709551615' }),
      jsonSpan({ events: [{ name: 'ok', timeUnixNano: '1' }, { name: 'late', timeUnixNano: '18446744073709551615' }] }),
      jsonSpan({ links: [{ traceId: TRACE_ID, spanId: '12' }], traceId: 'ab' }),
      jsonSpan({ traceId: undefined, spanId: undefined }),
      jsonSpan(),
    ];
    const read = readAndCompare(protobufTraceBody(jsonRequest(spans)));
    expect(read).toMatchObject({ accepted: 1, rejected: 10 });
    expect(read.problems[7]).toBe('span 7: events[1].timeUnixNano 18446744073709551615 is after the year 2262 (2^63 - 1 ns)');
  });

  it('skips unknown fields of every wire type at every level', () => {
    const withUnknown = (bytes: Buffer) => Buffer.concat([UNKNOWN_FIELDS, bytes, UNKNOWN_FIELDS]);
    const anyValue = withUnknown(encode('opentelemetry.proto.common.v1.AnyValue', { stringValue: 'v' }));
    const keyValue = withUnknown(Buffer.concat([delimited(1, Buffer.from('k')), delimited(2, anyValue)]));
    const event = withUnknown(Buffer.concat([encode('opentelemetry.proto.trace.v1.Span.Event', { name: 'e', timeUnixNano: '5' }), delimited(3, keyValue)]));
    const link = withUnknown(encode('opentelemetry.proto.trace.v1.Span.Link', { traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(ROOT_SPAN_ID, 'hex') }));
    const status = withUnknown(encode('opentelemetry.proto.trace.v1.Status', { code: 2, message: 'no' }));
    const span = withUnknown(
      Buffer.concat([
        encode('opentelemetry.proto.trace.v1.Span', { traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(CHAT_SPAN_ID, 'hex'), name: 'chat', kind: 3, startTimeUnixNano: '10', endTimeUnixNano: '20', traceState: 'a=b', flags: 1, droppedAttributesCount: 2 }),
        delimited(9, keyValue),
        delimited(11, event),
        delimited(13, link),
        delimited(15, status),
      ]),
    );
    const scope = withUnknown(Buffer.concat([encode('opentelemetry.proto.common.v1.InstrumentationScope', { name: 'lib', version: '1' }), delimited(3, keyValue)]));
    const resource = withUnknown(delimited(1, keyValue));
    const scopeSpans = withUnknown(Buffer.concat([delimited(1, scope), delimited(2, span), delimited(3, Buffer.from('https://schema'))]));
    // The resource after its spans: it still applies to them.
    const resourceSpans = withUnknown(Buffer.concat([delimited(2, scopeSpans), delimited(1, resource)]));
    const read = readAndCompare(withUnknown(delimited(1, resourceSpans)));
    expect(read.batches[0]!.context).toEqual({ resource: { k: 'v' }, scope: { name: 'lib', version: '1' } });
    expect(read.batches[0]!.spans[0]).toMatchObject({ attributes: { k: 'v' }, events: [{ attributes: { k: 'v' } }], status: { code: 2, message: 'no' } });
  });

  it('leaves odd encodings to protobufjs, so their answer is unchanged (groups, wrong wire types, two oneof values, a KeyValue without key)', () => {
    const span = encode('opentelemetry.proto.trace.v1.Span', { traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(CHAT_SPAN_ID, 'hex'), startTimeUnixNano: '10', endTimeUnixNano: '20' });
    const request = (spanBytes: Buffer) => delimited(1, delimited(2, delimited(2, spanBytes)));
    const odd = [
      request(Buffer.concat([span, tag(94, 3), tag(95, 0), varint(1), tag(94, 4)])),
      request(Buffer.concat([span, tag(6, 2), varint(1), Buffer.from('x')])),
      request(Buffer.concat([span, delimited(9, Buffer.concat([delimited(1, Buffer.from('k')), delimited(2, Buffer.concat([delimited(1, Buffer.from('s')), tag(2, 0), varint(1)]))]))])),
      request(Buffer.concat([span, delimited(9, delimited(2, delimited(1, Buffer.from('no key'))))])),
      request(Buffer.concat([span, delimited(9, Buffer.alloc(0))])),
      protobufLogsBody(evaluationLogsRequest()),
      Buffer.from('hello'),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]),
    ];
    for (const body of odd) {
      expect(readProtobufTraces(body)).toBeNull();
      expect(outcome(() => decodeTraceRequest(body, PROTOBUF_WIRE))).toEqual(outcome(() => reference(body)));
    }
    expect(outcome(() => decodeTraceRequest(odd[3]!, PROTOBUF_WIRE))).toEqual({
      error: 'InvalidRequestError: resourceSpans[0].scopeSpans[0].spans[0].attributes[0] must be {"key": string, "value": AnyValue}, got an object',
    });
  });

  it('answers every truncation of a body as before', async () => {
    const body = Buffer.concat([await exportedBody(), protobufTraceBody(everyValueRequest())]);
    for (let length = 0; length < body.length; length++) {
      const truncated = body.subarray(0, length);
      expect(outcome(() => decodeTraceRequest(truncated, PROTOBUF_WIRE)), `truncated to ${length} bytes`).toEqual(outcome(() => reference(truncated)));
    }
  });

  it('agrees with the reference on generated requests and on corrupted bytes (property)', () => {
    const hexId = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
    const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
    const anyValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string().map((s) => ({ stringValue: s })),
        fc.boolean().map((b) => ({ boolValue: b })),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ intValue: String(n) })),
        fc.double().map((d) => ({ doubleValue: d })),
        fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytesValue: Buffer.from(b).toString('base64') })),
        fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
        fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: tie('value') }), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } })),
      ),
    })).value;
    const attributes = fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: anyValue }), { maxLength: 4 });
    const span = fc.record(
      {
        traceId: fc.oneof(hexId(16), hexId(3), fc.constant('0'.repeat(32))),
        spanId: fc.oneof(hexId(8), hexId(0)),
        parentSpanId: hexId(8),
        name: fc.string(),
        kind: fc.integer({ min: -2, max: 7 }),
        startTimeUnixNano: nanos,
        endTimeUnixNano: nanos,
        attributes,
        events: fc.array(fc.record({ name: fc.string(), timeUnixNano: nanos, attributes }, { requiredKeys: [] }), { maxLength: 2 }),
        links: fc.array(fc.record({ traceId: hexId(16), spanId: fc.oneof(hexId(8), hexId(2)), attributes }, { requiredKeys: [] }), { maxLength: 2 }),
        status: fc.record({ code: fc.integer({ min: -1, max: 3 }), message: fc.string() }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    const request = fc.array(span, { maxLength: 4 }).map((spans) => protobufTraceBody(jsonRequest(spans)));
    fc.assert(
      fc.property(request, (body) => {
        // Also checks that the direct reader took the body (null would differ).
        expect(outcome(() => readProtobufTraces(body))).toEqual(outcome(() => reference(body)));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(request, fc.nat(), fc.integer({ min: 0, max: 255 }), (body, at, byte) => {
        const corrupted = Buffer.from(body);
        if (corrupted.length > 0) corrupted[at % corrupted.length] = byte;
        expect(outcome(() => decodeTraceRequest(corrupted, PROTOBUF_WIRE))).toEqual(outcome(() => reference(corrupted)));
      }),
      { numRuns: 500 },
    );
  });
});
