// What a decoded traces request is and the rules on a span's own fields, shared by the decoder of
// JSON-shaped requests (decode-traces.ts) and the direct protobuf reader (protobuf-traces.ts), so
// both accept, reject and word their problems alike.
import type { OtlpSpan, OtlpSpanContext, OtlpSpanKind, OtlpStatusCode } from '@runlens/schema';
import { InvalidItemError, InvalidRequestError, LOGS_SENT_TO_TRACES } from './errors.ts';
import { MAX_PROBLEMS } from './raw.ts';

/** Spans that share a resource and an instrumentation scope. */
export interface SpanBatch {
  context: OtlpSpanContext;
  spans: OtlpSpan[];
}

export interface DecodedTraces {
  batches: SpanBatch[];
  /** Spans accepted (sum over the batches). */
  accepted: number;
  rejected: number;
  /** One message per rejected span, `span 3: traceId must be …`, capped at MAX_PROBLEMS. */
  problems: string[];
}

// OTLP/JSON enums are integers; the reference collector also accepts their names.
const SPAN_KINDS: Record<string, OtlpSpanKind> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
};
const STATUS_CODES: Record<string, OtlpStatusCode> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
  UNSET: 0,
  OK: 1,
  ERROR: 2,
};

/** Unknown kinds are read as UNSPECIFIED rather than rejecting the span (OTLP asks for leniency). */
export function spanKind(value: unknown): OtlpSpanKind {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 5 ? (value as OtlpSpanKind) : 0;
  if (typeof value === 'string') return SPAN_KINDS[value.toUpperCase()] ?? 0;
  return 0;
}

export function statusCode(value: unknown): OtlpStatusCode {
  if (typeof value === 'number') return value === 1 || value === 2 ? value : 0;
  if (typeof value === 'string') return STATUS_CODES[value.toUpperCase()] ?? 0;
  return 0;
}

/** A span whose trace and span ids are both absent: what an OTLP logs export decodes to. */
export class SpanWithoutIdsError extends InvalidItemError {}

/** Ids as sent (hex, '' when absent): a span with neither is told apart, see SpanWithoutIdsError. */
export function rejectSpanWithoutIds(traceId: string, spanId: string): void {
  if (traceId === '' && spanId === '') throw new SpanWithoutIdsError('traceId and spanId are missing');
}

/** Start and end times already checked one by one (checkUnixNanos): both present and in order. */
export function checkSpanTimes(startTimeUnixNano: bigint, endTimeUnixNano: bigint): void {
  if (startTimeUnixNano === 0n) throw new InvalidItemError('startTimeUnixNano is missing');
  if (endTimeUnixNano === 0n) throw new InvalidItemError('endTimeUnixNano is missing');
  if (endTimeUnixNano < startTimeUnixNano) {
    throw new InvalidItemError(`endTimeUnixNano (${endTimeUnixNano}) is before startTimeUnixNano (${startTimeUnixNano})`);
  }
}

/** Counts a rejected span (the `index`-th of the request) and keeps its message while there is room. */
export function recordRejectedSpan(result: DecodedTraces, index: number, error: InvalidItemError): void {
  result.rejected++;
  if (result.problems.length < MAX_PROBLEMS) result.problems.push(`span ${index}: ${error.message}`);
}

/**
 * Field numbers of an ExportLogsServiceRequest coincide with the traces ones down to the
 * records, so a logs export posted to /v1/traces decodes as spans without ids (seen in production).
 */
export function rejectLogsDecodedAsSpans(spans: number, spansWithoutIds: number): void {
  if (spans > 0 && spansWithoutIds === spans) {
    throw new InvalidRequestError(`no span has a traceId or spanId, which is how an OTLP logs export decodes as traces; ${LOGS_SENT_TO_TRACES}`);
  }
}
