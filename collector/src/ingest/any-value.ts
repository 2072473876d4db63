// OTLP attribute lists and AnyValues → plain JSON (kvlist → object, array → array, bytes → base64
// text, 64-bit ints → numbers when exact, else decimal strings), in one pass over the list.
import type { Attributes, AttributeValue } from '@runlens/schema';
import { describeJsonType, InvalidRequestError } from './errors.ts';
import type { OtlpWire } from './wire.ts';

import type { Raw } from './raw.ts';

const DECIMAL_INT = /^-?\d+$/;

/** Sets a key without letting `__proto__` reach the prototype (keys come from clients). */
export function setKey(target: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Decodes an OTLP `repeated KeyValue` (absent → {}). A plain object instead of the list is the
 * most common hand-written-exporter mistake: it is a request-level error with a message that
 * says what OTLP expects. Errors carry paths relative to the list (`attributes[2].value …`).
 */
export function decodeAttributes(list: unknown, wire: OtlpWire, field = 'attributes'): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) {
    const got = describeJsonType(list);
    throw new InvalidRequestError(
      `must be an array of {"key": …, "value": {"stringValue": …}} pairs (OTLP KeyValue list), got ${got}` +
        (got === 'an object' ? '; a plain {"name": value} object is not OTLP' : ''),
      field,
    );
  }
  for (let i = 0; i < list.length; i++) {
    const pair = list[i] as Raw | null;
    if (typeof pair !== 'object' || pair === null || typeof pair.key !== 'string') {
      throw new InvalidRequestError(`must be {"key": string, "value": AnyValue}, got ${describeJsonType(pair)}`, `${field}[${i}]`);
    }
    try {
      setKey(out, pair.key, decodeAnyValue(pair.value, wire));
    } catch (error) {
      throw error instanceof InvalidRequestError ? error.at(`${field}[${i}] (${JSON.stringify(pair.key)}).value`) : error;
    }
  }
  return out;
}

/** One AnyValue; an absent or empty AnyValue is null. */
export function decodeAnyValue(value: unknown, wire: OtlpWire): AttributeValue {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError(`must be an OTLP AnyValue such as {"stringValue": "text"}, got ${describeJsonType(value)}`);
  }
  const v = value as Raw;
  // Fast path: lowerCamelCase keys, as every SDK and protobufjs produce.
  if (v.stringValue !== undefined) return expectString(v.stringValue, 'stringValue');
  if (v.intValue !== undefined) return intValue(v.intValue, 'intValue');
  if (v.boolValue !== undefined) return expectBoolean(v.boolValue, 'boolValue');
  if (v.doubleValue !== undefined) return doubleValue(v.doubleValue, 'doubleValue');
  if (v.arrayValue !== undefined) return arrayValue(v.arrayValue, wire, 'arrayValue');
  if (v.kvlistValue !== undefined) return decodeAttributes((v.kvlistValue as Raw | null)?.values, wire, 'kvlistValue.values');
  if (v.bytesValue !== undefined) return wire.bytes(v.bytesValue);
  // The reference collector also accepts snake_case keys in OTLP/JSON.
  if (v.string_value !== undefined) return expectString(v.string_value, 'string_value');
  if (v.int_value !== undefined) return intValue(v.int_value, 'int_value');
  if (v.bool_value !== undefined) return expectBoolean(v.bool_value, 'bool_value');
  if (v.double_value !== undefined) return doubleValue(v.double_value, 'double_value');
  if (v.array_value !== undefined) return arrayValue(v.array_value, wire, 'array_value');
  if (v.kvlist_value !== undefined) return decodeAttributes((v.kvlist_value as Raw | null)?.values, wire, 'kvlist_value.values');
  if (v.bytes_value !== undefined) return wire.bytes(v.bytes_value);
  return null;
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidRequestError(`must be a string, got ${describeJsonType(value)}`, field);
  return value;
}

function expectBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidRequestError(`must be true or false, got ${describeJsonType(value)}`, field);
  return value;
}

/** int64: a decimal string (canonical) or a number; kept as text beyond 2^53 so it stays exact. */
function intValue(value: unknown, field: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && DECIMAL_INT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  throw new InvalidRequestError(`must be an integer or a decimal string, got ${JSON.stringify(value)}`, field);
}

/** double: a number, or "NaN" / "Infinity" / "-Infinity", which JSON cannot hold as numbers. */
function doubleValue(value: unknown, field: string): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new InvalidRequestError(`must be a number, got ${JSON.stringify(value)}`, field);
}

function arrayValue(value: unknown, wire: OtlpWire, field: string): AttributeValue[] {
  const values = (value as Raw | null)?.values;
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new InvalidRequestError(`must be an array of AnyValue, got ${describeJsonType(values)}`, `${field}.values`);
  const out: AttributeValue[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    try {
      out[i] = decodeAnyValue(values[i], wire);
    } catch (error) {
      throw error instanceof InvalidRequestError ? error.at(`${field}.values[${i}]`) : error;
    }
  }
  return out;
}
