// ExportTraceServiceRequest (either wire) → validated OtlpSpans grouped by resource and scope.
// Invalid spans are rejected one by one (partial success); a request that is not OTLP traces at
// all throws InvalidRequestError (400) so that nothing of it is stored.
import type { OtlpEvent, OtlpLink, OtlpScope, OtlpSpan } from '@runlens/schema';
import { decodeAttributes } from './any-value.ts';
import { describeJsonType, InvalidItemError, InvalidRequestError, LOGS_SENT_TO_TRACES } from './errors.ts';
import { checkParentSpanId, checkSpanId, checkTraceId } from './ids.ts';
import { readProtobufTraces } from './protobuf-traces.ts';
import { checkUnixNanos, isObject, list } from './raw.ts';
import {
  checkSpanTimes,
  type DecodedTraces,
  recordRejectedSpan,
  rejectLogsDecodedAsSpans,
  rejectSpanWithoutIds,
  type SpanBatch,
  spanKind,
  SpanWithoutIdsError,
  statusCode,
} from './span-rules.ts';
import { PROTOBUF_WIRE, type OtlpWire } from './wire.ts';

export type { DecodedTraces, SpanBatch } from './span-rules.ts';

/** Decodes and validates an export request body. */
export function decodeTraceRequest(body: Buffer, wire: OtlpWire): DecodedTraces {
  if (wire === PROTOBUF_WIRE) {
    const read = readProtobufTraces(body);
    if (read !== null) return read;
  }
  return decodeParsedTraceRequest(wire.parseTraceRequest(body), wire);
}

/**
 * Validates a request already parsed into a JSON-shaped object: what OTLP/JSON gives, and what
 * protobufjs gives for the protobuf bodies readProtobufTraces leaves to it (and for its tests).
 */
export function decodeParsedTraceRequest(request: unknown, wire: OtlpWire): DecodedTraces {
  const result: DecodedTraces = { batches: [], accepted: 0, rejected: 0, problems: [] };
  if (!isObject(request)) {
    throw new InvalidRequestError(`body must be an OTLP ExportTraceServiceRequest ({"resourceSpans": […]}), got ${describeJsonType(request)}`);
  }
  const resourceSpans = request.resourceSpans ?? request.resource_spans;
  if (resourceSpans === undefined) {
    if (request.resourceLogs !== undefined || request.resource_logs !== undefined) {
      throw new InvalidRequestError(LOGS_SENT_TO_TRACES);
    }
    if (request.resourceMetrics !== undefined || request.resource_metrics !== undefined) {
      throw new InvalidRequestError('body is an OTLP metrics export (resourceMetrics); Runlens takes traces at /v1/traces and logs at /v1/logs');
    }
  }
  let index = 0;
  let withoutIds = 0;
  const resources = list(resourceSpans, 'resourceSpans');
  for (let r = 0; r < resources.length; r++) {
    const rs = resources[r];
    if (!isObject(rs)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(rs)}`, `resourceSpans[${r}]`);
    let resource;
    let scopes;
    try {
      resource = decodeAttributes(isObject(rs.resource) ? rs.resource.attributes : undefined, wire);
      scopes = list(rs.scopeSpans ?? rs.scope_spans, 'scopeSpans');
    } catch (error) {
      throw error instanceof InvalidRequestError ? error.at(`resourceSpans[${r}].resource`) : error;
    }
    for (let s = 0; s < scopes.length; s++) {
      const ss = scopes[s];
      const where = `resourceSpans[${r}].scopeSpans[${s}]`;
      if (!isObject(ss)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(ss)}`, where);
      const batch: SpanBatch = { context: { resource, scope: decodeScope(ss.scope) }, spans: [] };
      const spans = list(ss.spans, `${where}.spans`);
      for (let i = 0; i < spans.length; i++, index++) {
        try {
          batch.spans.push(decodeSpan(spans[i], wire));
        } catch (error) {
          if (error instanceof InvalidRequestError) throw error.at(`${where}.spans[${i}]`);
          if (!(error instanceof InvalidItemError)) throw error;
          if (error instanceof SpanWithoutIdsError) withoutIds++;
          recordRejectedSpan(result, index, error);
        }
      }
      if (batch.spans.length > 0) {
        result.batches.push(batch);
        result.accepted += batch.spans.length;
      }
    }
  }
  rejectLogsDecodedAsSpans(index, withoutIds);
  return result;
}

function decodeScope(scope: unknown): OtlpScope {
  if (!isObject(scope)) return { name: '', version: null };
  return {
    name: typeof scope.name === 'string' ? scope.name : '',
    version: typeof scope.version === 'string' && scope.version !== '' ? scope.version : null,
  };
}

/** One span. Throws InvalidItemError for a problem with this span alone. */
function decodeSpan(raw: unknown, wire: OtlpWire): OtlpSpan {
  if (!isObject(raw)) throw new InvalidItemError(`must be an object, got ${describeJsonType(raw)}`);
  // Structure first, so a malformed request (attributes as a plain object) is a 400 whatever
  // else is wrong with the span.
  const attributes = decodeAttributes(raw.attributes, wire);
  const events = decodeEvents(raw.events, wire);
  const links = decodeLinks(raw.links, wire);

  const rawTraceId = wire.id(raw.traceId ?? raw.trace_id, 'traceId');
  const rawSpanId = wire.id(raw.spanId ?? raw.span_id, 'spanId');
  rejectSpanWithoutIds(rawTraceId, rawSpanId);
  const traceId = checkTraceId(rawTraceId);
  const spanId = checkSpanId(rawSpanId);
  const parentSpanId = checkParentSpanId(wire.id(raw.parentSpanId ?? raw.parent_span_id, 'parentSpanId'));

  const name = raw.name ?? '';
  if (typeof name !== 'string') throw new InvalidItemError(`name must be a string, got ${describeJsonType(name)}`);
  const startTimeUnixNano = checkUnixNanos(wire.nanos(raw.startTimeUnixNano ?? raw.start_time_unix_nano, 'startTimeUnixNano'), 'startTimeUnixNano');
  const endTimeUnixNano = checkUnixNanos(wire.nanos(raw.endTimeUnixNano ?? raw.end_time_unix_nano, 'endTimeUnixNano'), 'endTimeUnixNano');
  checkSpanTimes(startTimeUnixNano, endTimeUnixNano);

  const status = isObject(raw.status) ? raw.status : undefined;
  const statusMessage = status?.message;
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: spanKind(raw.kind),
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    events,
    links,
    status: { code: statusCode(status?.code), message: typeof statusMessage === 'string' ? statusMessage : '' },
  };
}

function decodeEvents(value: unknown, wire: OtlpWire): OtlpEvent[] {
  const events = list(value, 'events');
  const out: OtlpEvent[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    try {
      if (!isObject(event)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(event)}`);
      const name = event.name ?? '';
      if (typeof name !== 'string') throw new InvalidItemError(`name must be a string, got ${describeJsonType(name)}`);
      out[i] = {
        name,
        timeUnixNano: checkUnixNanos(wire.nanos(event.timeUnixNano ?? event.time_unix_nano, 'timeUnixNano'), 'timeUnixNano'),
        attributes: decodeAttributes(event.attributes, wire),
      };
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error.at(`events[${i}]`);
      if (error instanceof InvalidItemError) throw new InvalidItemError(`events[${i}].${error.message}`);
      throw error;
    }
  }
  return out;
}

/** A link with invalid ids makes its span invalid: storing a dangling link would mislead. */
function decodeLinks(value: unknown, wire: OtlpWire): OtlpLink[] {
  const links = list(value, 'links');
  const out: OtlpLink[] = new Array(links.length);
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    try {
      if (!isObject(link)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(link)}`);
      out[i] = {
        traceId: checkTraceId(wire.id(link.traceId ?? link.trace_id, 'traceId')),
        spanId: checkSpanId(wire.id(link.spanId ?? link.span_id, 'spanId')),
        attributes: decodeAttributes(link.attributes, wire),
      };
    } catch (error) {
      if (error instanceof InvalidRequestError) throw error.at(`links[${i}]`);
      if (error instanceof InvalidItemError) throw new InvalidItemError(`links[${i}].${error.message}`);
      throw error;
    }
  }
  return out;
}
