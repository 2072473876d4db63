// ExportLogsServiceRequest (either wire) → validated OtlpLogRecords. Runlens keeps only
// `gen_ai.evaluation.result` events from logs; the route decides, this module only decodes.
import { GEN_AI } from '@runlens/schema';
import type { OtlpLogRecord } from '@runlens/schema';
import { decodeAnyValue, decodeAttributes } from './any-value.ts';
import { describeJsonType, InvalidItemError, InvalidRequestError } from './errors.ts';
import { checkSpanId, checkTraceId } from './ids.ts';
import { checkUnixNanos, isObject, list, MAX_PROBLEMS } from './raw.ts';
import type { OtlpWire } from './wire.ts';

export interface DecodedLogs {
  records: OtlpLogRecord[];
  rejected: number;
  /** One message per rejected record, `log record 2: traceId must be …`, capped at MAX_PROBLEMS. */
  problems: string[];
}

/** Older SDKs name the event with an `event.name` attribute instead of the `eventName` field. */
const EVENT_NAME_ATTRIBUTE = 'event.name';

/** Whether a record is a GenAI evaluation result, the only log records Runlens stores. */
export function isEvaluationResult(record: OtlpLogRecord): boolean {
  return record.eventName === GEN_AI.evaluationResult;
}

/** Decodes and validates a logs export body. */
export function decodeLogsRequest(body: Buffer, wire: OtlpWire): DecodedLogs {
  const result: DecodedLogs = { records: [], rejected: 0, problems: [] };
  const request = wire.parseLogsRequest(body);
  if (!isObject(request)) {
    throw new InvalidRequestError(`body must be an OTLP ExportLogsServiceRequest ({"resourceLogs": […]}), got ${describeJsonType(request)}`);
  }
  const resourceLogs = request.resourceLogs ?? request.resource_logs;
  if (resourceLogs === undefined && (request.resourceSpans !== undefined || request.resource_spans !== undefined)) {
    throw new InvalidRequestError('body is an OTLP traces export (resourceSpans), not logs: send it to /v1/traces');
  }
  let index = 0;
  const resources = list(resourceLogs, 'resourceLogs');
  for (let r = 0; r < resources.length; r++) {
    const rl = resources[r];
    if (!isObject(rl)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(rl)}`, `resourceLogs[${r}]`);
    let resource;
    let scopes;
    try {
      resource = decodeAttributes(isObject(rl.resource) ? rl.resource.attributes : undefined, wire);
      scopes = list(rl.scopeLogs ?? rl.scope_logs, 'scopeLogs');
    } catch (error) {
      throw error instanceof InvalidRequestError ? error.at(`resourceLogs[${r}].resource`) : error;
    }
    for (let s = 0; s < scopes.length; s++) {
      const sl = scopes[s];
      const where = `resourceLogs[${r}].scopeLogs[${s}]`;
      if (!isObject(sl)) throw new InvalidRequestError(`must be an object, got ${describeJsonType(sl)}`, where);
      const records = list(sl.logRecords ?? sl.log_records, `${where}.logRecords`);
      for (let i = 0; i < records.length; i++, index++) {
        try {
          result.records.push(decodeLogRecord(records[i], resource, wire));
        } catch (error) {
          if (error instanceof InvalidRequestError) throw error.at(`${where}.logRecords[${i}]`);
          if (!(error instanceof InvalidItemError)) throw error;
          result.rejected++;
          if (result.problems.length < MAX_PROBLEMS) result.problems.push(`log record ${index}: ${error.message}`);
        }
      }
    }
  }
  return result;
}

function decodeLogRecord(raw: unknown, resource: OtlpLogRecord['resource'], wire: OtlpWire): OtlpLogRecord {
  if (!isObject(raw)) throw new InvalidItemError(`must be an object, got ${describeJsonType(raw)}`);
  // Trace context is optional on a log record, but when present it must be a valid id.
  const traceId = wire.id(raw.traceId ?? raw.trace_id, 'traceId');
  const spanId = wire.id(raw.spanId ?? raw.span_id, 'spanId');
  const attributes = decodeAttributes(raw.attributes, wire);
  let body;
  try {
    body = decodeAnyValue(raw.body, wire);
  } catch (error) {
    throw error instanceof InvalidRequestError ? error.at('body') : error;
  }
  const time = checkUnixNanos(wire.nanos(raw.timeUnixNano ?? raw.time_unix_nano, 'timeUnixNano'), 'timeUnixNano');
  const eventName = raw.eventName ?? raw.event_name;
  const attributeName = attributes[EVENT_NAME_ATTRIBUTE];
  return {
    // A time of 0 means unknown; the observed time is the collector-side fallback OTLP defines.
    timeUnixNano:
      time !== 0n ? time : checkUnixNanos(wire.nanos(raw.observedTimeUnixNano ?? raw.observed_time_unix_nano, 'observedTimeUnixNano'), 'observedTimeUnixNano'),
    eventName:
      typeof eventName === 'string' && eventName !== '' ? eventName : typeof attributeName === 'string' && attributeName !== '' ? attributeName : null,
    traceId: traceId === '' ? null : checkTraceId(traceId),
    spanId: spanId === '' ? null : checkSpanId(spanId),
    body,
    attributes,
    resource,
  };
}
