// Everything that differs between OTLP/JSON and OTLP/protobuf, in one strategy object per wire
// (as opentelemetry-js keeps JSON_ENCODER / PROTOBUF_ENCODER). The decoders work on the
// JSON-shaped objects both wires parse into and ask the wire only about ids, times and bytes.
import { isAscii } from 'node:buffer';
import type protobuf from 'protobufjs';
import { describeJsonType, InvalidItemError, InvalidRequestError, LOGS_SENT_TO_TRACES } from './errors.ts';
import {
  ExportLogsServiceRequest,
  ExportLogsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
  TO_OBJECT_OPTIONS,
} from './otlp-proto.ts';
import type { Raw } from './raw.ts';

/** What a partial success reports: how many items were rejected and why. */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

export interface OtlpWire {
  /** The media type this wire answers with (requests are matched without parameters). */
  readonly contentType: 'application/json' | 'application/x-protobuf';
  /**
   * Parses an ExportTraceServiceRequest body into a JSON-shaped object. Protobuf trace bodies are
   * read directly (protobuf-traces.ts); only those it leaves to protobufjs come here.
   */
  parseTraceRequest(body: Buffer): unknown;
  /** Parses an ExportLogsServiceRequest body into a JSON-shaped object. */
  parseLogsRequest(body: Buffer): unknown;
  /** A trace or span id as lowercase hex; '' when absent. */
  id(value: unknown, field: string): string;
  /** A fixed64 nanosecond time, exact; 0n when absent. */
  nanos(value: unknown, field: string): bigint;
  /** An AnyValue `bytesValue` as base64 text. */
  bytes(value: unknown): string;
  encodeTraceResponse(partial: PartialSuccess | null): Uint8Array;
  encodeLogsResponse(partial: PartialSuccess | null): Uint8Array;
  /** A google.rpc.Status failure body. */
  encodeStatus(code: number, message: string): Uint8Array;
}

const DECIMAL = /^\d{1,20}$/;
const EMPTY = new Uint8Array(0);

/**
 * A 64-bit integer field (times, intValue) sent as a bare JSON number of 16+ digits, i.e. at or
 * near 2^53 (9007199254740992). Such a field is quoted before JSON.parse, which would round it
 * to a double; Node 20 has no JSON.parse access to the source text. Only object keys match: a
 * key inside a JSON string has escaped quotes, and a string value is never followed by ':'.
 * (2.6 µs/span on 3.7 KB of JSON per span. An indexOf pre-scan for the key endings measured
 * 2.2-5.5 µs depending on the needles, so the regex stays.)
 */
const BIG_INTEGER_FIELD =
  /("(?:startTimeUnixNano|endTimeUnixNano|timeUnixNano|observedTimeUnixNano|intValue|start_time_unix_nano|end_time_unix_nano|time_unix_nano|observed_time_unix_nano|int_value)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

/**
 * The body as text. For an all-ASCII body (English prompts and JSON structure) latin1 decoding
 * gives the same text as UTF-8 for a fraction of the cost: on 3.7 KB of JSON per span, isAscii +
 * latin1 measured 0.9-1.0 µs/span against 2.5-4.4 for UTF-8, and costs 0.3 when it must fall back.
 */
function bodyText(body: Buffer): string {
  return body.toString(isAscii(body) ? 'latin1' : 'utf8');
}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new InvalidRequestError('body is empty; an empty OTLP/JSON export is {}');
  const text = bodyText(body).replace(BIG_INTEGER_FIELD, '$1"$2"');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

/** OTLP/JSON: hex ids, 64-bit integers as decimal strings (numbers tolerated when exact), base64 bytes. */
export const JSON_WIRE: OtlpWire = {
  contentType: 'application/json',
  parseTraceRequest: parseJsonBody,
  parseLogsRequest: parseJsonBody,

  // OTLP/JSON ids are case-insensitive hex, unlike protobuf's canonical JSON mapping (base64).
  id(value, field) {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw new InvalidItemError(`${field} must be a hex string, got ${describeJsonType(value)}`);
    return value.toLowerCase();
  },

  // Nanosecond times exceed 2^53. Bare integers are quoted before parsing (BIG_INTEGER_FIELD);
  // a large number in another form (1.7e18) has already been rounded by JSON.parse, so its span
  // is rejected rather than stored with a time that may be off by hundreds of nanoseconds.
  nanos(value, field) {
    if (value === undefined || value === null) return 0n;
    if (typeof value === 'string') {
      if (!DECIMAL.test(value)) throw new InvalidItemError(`${field} must be a decimal integer string, got ${JSON.stringify(value)}`);
      return BigInt(value);
    }
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
      if (Number.isInteger(value) && value > 0) {
        throw new InvalidItemError(
          `${field} was sent as a JSON number above 2^53 in a form that loses precision (${value}); ` +
            'send 64-bit integers as decimal strings, as OTLP/JSON requires',
        );
      }
    }
    throw new InvalidItemError(`${field} must be a decimal integer string, got ${JSON.stringify(value)}`);
  },

  bytes(value) {
    if (typeof value !== 'string') throw new InvalidRequestError(`must be a base64 string, got ${describeJsonType(value)}`, 'bytesValue');
    return value;
  },

  encodeTraceResponse(partial) {
    // Leave partialSuccess unset on full success (OTLP spec); int64 is a string in OTLP/JSON.
    return encodeJson(partial ? { partialSuccess: { rejectedSpans: String(partial.rejected), errorMessage: partial.errorMessage } } : {});
  },
  encodeLogsResponse(partial) {
    return encodeJson(
      partial ? { partialSuccess: { rejectedLogRecords: String(partial.rejected), errorMessage: partial.errorMessage } } : {},
    );
  },
  encodeStatus(code, message) {
    return encodeJson({ code, message });
  },
};

function decodeProtobuf(type: protobuf.Type, body: Buffer): Raw {
  let message;
  try {
    message = type.decode(body);
  } catch (error) {
    throw new InvalidRequestError(`body is not a valid protobuf ${type.name}: ${(error as Error).message}`);
  }
  return type.toObject(message, TO_OBJECT_OPTIONS);
}

/** Whether the body decodes as an ExportLogsServiceRequest holding at least one log record. */
function isLogsExport(body: Buffer): boolean {
  try {
    const request = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(body), TO_OBJECT_OPTIONS) as Raw;
    return ((request.resourceLogs as Raw[] | undefined) ?? []).some((rl) =>
      ((rl.scopeLogs as Raw[] | undefined) ?? []).some((sl) => ((sl.logRecords as unknown[] | undefined) ?? []).length > 0),
    );
  } catch {
    return false;
  }
}

function parseProtobufTraceRequest(body: Buffer): Raw {
  // A zero-length body is the encoding of an empty export: a success that stores nothing.
  if (body.length === 0) return {};
  let request;
  try {
    request = decodeProtobuf(ExportTraceServiceRequest, body);
  } catch (error) {
    // Logs and traces share field numbers down to the records, where the wire types clash.
    if (isLogsExport(body)) throw new InvalidRequestError(LOGS_SENT_TO_TRACES);
    throw error;
  }
  // Protobuf skips unknown fields, so text or other garbage can decode "successfully" into an
  // empty request; a real empty export is a zero-length body.
  if (request.resourceSpans === undefined) {
    throw new InvalidRequestError('body is not a protobuf ExportTraceServiceRequest: it holds no resourceSpans (field 1)');
  }
  return request;
}

function parseProtobufLogsRequest(body: Buffer): Raw {
  if (body.length === 0) return {};
  const request = decodeProtobuf(ExportLogsServiceRequest, body);
  if (request.resourceLogs === undefined) {
    throw new InvalidRequestError('body is not a protobuf ExportLogsServiceRequest: it holds no resourceLogs (field 1)');
  }
  return request;
}

/** OTLP/protobuf: ids and bytes are raw bytes (Buffers), 64-bit integers come as decimal strings. */
export const PROTOBUF_WIRE: OtlpWire = {
  contentType: 'application/x-protobuf',
  parseTraceRequest: parseProtobufTraceRequest,
  parseLogsRequest: parseProtobufLogsRequest,

  id(value) {
    return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : '';
  },
  nanos(value) {
    // TO_OBJECT_OPTIONS turns fixed64 into a decimal string, so no precision is lost.
    return typeof value === 'string' ? BigInt(value) : 0n;
  },
  bytes(value) {
    return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : '';
  },

  encodeTraceResponse(partial) {
    if (!partial) return EMPTY;
    const response = { partialSuccess: { rejectedSpans: partial.rejected, errorMessage: partial.errorMessage } };
    return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(response)).finish();
  },
  encodeLogsResponse(partial) {
    if (!partial) return EMPTY;
    const response = { partialSuccess: { rejectedLogRecords: partial.rejected, errorMessage: partial.errorMessage } };
    return ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(response)).finish();
  },
  encodeStatus(code, message) {
    return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
  },
};

/** The wire for a request's Content-Type (parameters ignored), or null when it is neither. */
export function wireForContentType(header: string | undefined): OtlpWire | null {
  if (!header) return null;
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === 'application/json') return JSON_WIRE;
  if (mediaType === 'application/x-protobuf') return PROTOBUF_WIRE;
  return null;
}
