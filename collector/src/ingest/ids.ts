// Trace and span id validation, shared by both wires (ids arrive here as lowercase hex).
// OTLP: a trace id is 16 bytes, a span id 8 bytes; all zeros or any other length is invalid.
import { InvalidItemError } from './errors.ts';

const HEX = /^[0-9a-f]*$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
// A hand-written exporter sometimes sends ids base64-encoded as protobuf's JSON mapping would.
const BASE64_OF_16_BYTES = /^[A-Za-z0-9+/_-]{22}(==)?$/;
const BASE64_OF_8_BYTES = /^[A-Za-z0-9+/_-]{11}=?$/;

function checkHexId(hex: string, field: string, length: 32 | 16): string {
  if (hex.length !== length) {
    if (hex === '') throw new InvalidItemError(`${field} is missing (it must be ${length} hex characters)`);
    const base64 = length === 32 ? BASE64_OF_16_BYTES : BASE64_OF_8_BYTES;
    const hint = !HEX.test(hex) && base64.test(hex) ? '; it looks base64-encoded, but OTLP/JSON ids are hex' : '';
    throw new InvalidItemError(`${field} must be ${length} hex characters, got ${hex.length}${hint}`);
  }
  if (!HEX.test(hex)) throw new InvalidItemError(`${field} must be hex, got ${JSON.stringify(hex)}`);
  if (hex === (length === 32 ? ZERO_TRACE_ID : ZERO_SPAN_ID)) throw new InvalidItemError(`${field} must not be all zeros`);
  return hex;
}

export function checkTraceId(hex: string, field = 'traceId'): string {
  return checkHexId(hex, field, 32);
}

export function checkSpanId(hex: string, field = 'spanId'): string {
  return checkHexId(hex, field, 16);
}

/** A root span has no parent: an empty or absent parentSpanId is null. */
export function checkParentSpanId(hex: string): string | null {
  return hex === '' ? null : checkHexId(hex, 'parentSpanId', 16);
}
