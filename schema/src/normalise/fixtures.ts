// Building decoded OTLP spans for tests: the shape collector decoders hand to normaliseSpan
// (AnyValue already turned into plain JSON: kvlist → object, array → array).
import type { OtlpEvent, OtlpSpan, OtlpSpanContext } from '../otlp.ts';
import type { Attributes } from '../types.ts';

/** 2026-01-01T00:00:00Z in nanoseconds. */
export const T0 = 1767225600000000000n;

export function otlpSpan(fields: Partial<OtlpSpan> & { attributes: Attributes }): OtlpSpan {
  return {
    traceId: '5b8aa5a2d2c872e8321cf37308d69df2',
    spanId: '5fb397be34d26b51',
    parentSpanId: '051581bf3cb55c13',
    name: 'span',
    kind: 1,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 1_500_000_000n,
    events: [],
    links: [],
    status: { code: 0, message: '' },
    ...fields,
  };
}

export function otlpEvent(name: string, attributes: Attributes = {}, offsetNs = 0n): OtlpEvent {
  return { name, timeUnixNano: T0 + offsetNs, attributes };
}

export function spanContext(resource: Attributes = { 'service.name': 'support-agent' }): OtlpSpanContext {
  return { resource, scope: { name: 'test-instrumentation', version: '1.0.0' } };
}
