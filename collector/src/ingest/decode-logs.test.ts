import { describe, expect, it } from 'vitest';
import { decodeLogsRequest, isEvaluationResult } from './decode-logs.ts';
import { InvalidRequestError } from './errors.ts';
import { CHAT_SPAN_ID, evaluationLogsRequest, genAiTraceRequest, protobufLogsBody, TRACE_ID } from './test-fixtures.ts';
import { JSON_WIRE, PROTOBUF_WIRE } from './wire.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function withRecords(records: Record<string, unknown>[]) {
  return { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'judge' } }] }, scopeLogs: [{ logRecords: records }] }] };
}

describe('decoding OTLP logs', () => {
  it('reads an evaluation result with its trace context, attributes and resource, the same in JSON and protobuf', () => {
    const fromJson = decodeLogsRequest(json(evaluationLogsRequest()), JSON_WIRE);
    expect(fromJson.rejected).toBe(0);
    expect(fromJson.records[0]).toEqual({
      timeUnixNano: 1767225603000000000n,
      eventName: 'gen_ai.evaluation.result',
      traceId: TRACE_ID,
      spanId: CHAT_SPAN_ID,
      body: null,
      attributes: { 'gen_ai.evaluation.name': 'answer_relevance', 'gen_ai.evaluation.score.value': 0.9, 'gen_ai.evaluation.score.label': 'pass' },
      resource: { 'service.name': 'judge' },
    });
    expect(fromJson.records.map(isEvaluationResult)).toEqual([true, false]);
    expect(decodeLogsRequest(Buffer.from(protobufLogsBody(evaluationLogsRequest())), PROTOBUF_WIRE)).toEqual(fromJson);
  });

  it('takes the event name from the event.name attribute older SDKs send', () => {
    const decoded = decodeLogsRequest(json(withRecords([{ attributes: [{ key: 'event.name', value: { stringValue: 'gen_ai.evaluation.result' } }] }])), JSON_WIRE);
    expect(decoded.records[0]!.eventName).toBe('gen_ai.evaluation.result');
  });

  it('falls back to the observed time when the record has none, and accepts snake_case keys', () => {
    const decoded = decodeLogsRequest(
      json({ resource_logs: [{ scope_logs: [{ log_records: [{ observed_time_unix_nano: '1767225603000000009', event_name: 'x', body: { string_value: 'hi' } }] }] }] }),
      JSON_WIRE,
    );
    expect(decoded.records[0]).toMatchObject({ timeUnixNano: 1767225603000000009n, eventName: 'x', body: 'hi', traceId: null, spanId: null });
  });

  it('rejects a record whose trace context is malformed and keeps the others', () => {
    const decoded = decodeLogsRequest(json(withRecords([{ eventName: 'a', traceId: 'abc' }, { eventName: 'b' }])), JSON_WIRE);
    expect(decoded.records.map((r) => r.eventName)).toEqual(['b']);
    expect(decoded).toMatchObject({ rejected: 1, problems: ['log record 0: traceId must be 32 hex characters, got 3'] });
  });

  it('refuses a traces export and attributes sent as a plain object', () => {
    expect(() => decodeLogsRequest(json(genAiTraceRequest()), JSON_WIRE)).toThrow(
      new InvalidRequestError('body is an OTLP traces export (resourceSpans), not logs: send it to /v1/traces'),
    );
    expect(() => decodeLogsRequest(json(withRecords([{ attributes: { a: 1 } }])), JSON_WIRE)).toThrow(
      /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.attributes must be an array/,
    );
  });
});
