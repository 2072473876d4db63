// Reading the protobuf wire format field by field over one Buffer: tags, varints, fixed-size
// numbers, strings and bytes, every read checked against the end of the message it is in. The
// readers built on it (protobuf-traces.ts) make JavaScript objects straight from the bytes.

/** Wire types (the low 3 bits of a tag). 3 and 4 are proto2 groups; 6 and 7 do not exist. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/**
 * The bytes are not what the readers built on the cursor take as they are: truncated, a bad
 * varint, a group, a known field with another wire type. Not a user-facing error: the caller
 * hands such a body to protobufjs, whose answer (an error, or its reading of the odd encoding)
 * is the one given.
 */
export class UnusualProtobuf extends Error {
  constructor(problem: string, offset: number) {
    super(`${problem} at byte ${offset}`);
    this.name = 'UnusualProtobuf';
  }
}

const TWO_TO_32 = 4294967296;

/** Node's Buffer slicers, which toString calls after normalising its arguments (not in @types/node). */
interface BufferSlicers {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
}

export class ProtobufCursor {
  readonly buf: Buffer & BufferSlicers;
  pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf as Buffer & BufferSlicers;
  }

  /** A varint's low 32 bits as an unsigned number (what protobufjs's uint32 returns). */
  uint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) throw new UnusualProtobuf('truncated varint', pos);
    let byte = buf[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= end) throw new UnusualProtobuf('truncated varint', pos);
      byte = buf[pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new UnusualProtobuf('varint longer than 10 bytes', this.pos);
  }

  /** A tag (field number << 3 | wire type); tags fit in 32 bits. */
  tag(end: number): number {
    return this.uint32(end);
  }

  /**
   * An int64 varint as protobufjs + toObject + the JSON-shaped decoder give it: a number when it
   * is a safe integer, else its exact decimal text.
   */
  int64(end: number): number | string {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let low = 0;
    let high = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 70) throw new UnusualProtobuf('varint longer than 10 bytes', start);
      if (pos >= end) throw new UnusualProtobuf('truncated varint', pos);
      const byte = buf[pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= (bits & 0x0f) << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) break;
    }
    this.pos = pos;
    // Exact below 2^53 in magnitude; beyond, the rounded double is never a safe integer either.
    const value = (high | 0) * TWO_TO_32 + (low >>> 0);
    if (Number.isSafeInteger(value)) return value;
    return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
  }

  /** A fixed64 as an unsigned BigInt (nanosecond times). */
  fixed64(end: number): bigint {
    const pos = this.pos;
    if (pos + 8 > end) throw new UnusualProtobuf('truncated fixed64', pos);
    this.pos = pos + 8;
    return this.buf.readBigUInt64LE(pos);
  }

  double(end: number): number {
    const pos = this.pos;
    if (pos + 8 > end) throw new UnusualProtobuf('truncated double', pos);
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /** Reads a length prefix and returns where the delimited value ends; `pos` is at its start. */
  delimited(end: number): number {
    const length = this.uint32(end);
    const valueEnd = this.pos + length;
    if (valueEnd > end) throw new UnusualProtobuf(`length ${length} runs past the end of its message`, this.pos);
    return valueEnd;
  }

  /** A length-delimited UTF-8 string (malformed sequences become U+FFFD, as protobufjs reads them). */
  string(end: number): string {
    const valueEnd = this.delimited(end);
    const start = this.pos;
    this.pos = valueEnd;
    return this.buf.utf8Slice(start, valueEnd);
  }

  /** Length-delimited bytes as lowercase hex (trace and span ids). */
  hex(end: number): string {
    const valueEnd = this.delimited(end);
    const start = this.pos;
    this.pos = valueEnd;
    return this.buf.hexSlice(start, valueEnd);
  }

  /** Length-delimited bytes as base64 text (AnyValue bytes, as OTLP/JSON carries them). */
  base64(end: number): string {
    const valueEnd = this.delimited(end);
    const start = this.pos;
    this.pos = valueEnd;
    return this.buf.base64Slice(start, valueEnd);
  }

  /** Skips a field of the given wire type (groups are refused, as protobuf 3 has none). */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case VARINT:
        this.uint32(end);
        return;
      case FIXED64:
        if (this.pos + 8 > end) throw new UnusualProtobuf('truncated fixed64', this.pos);
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.pos = this.delimited(end);
        return;
      case FIXED32:
        if (this.pos + 4 > end) throw new UnusualProtobuf('truncated fixed32', this.pos);
        this.pos += 4;
        return;
      default:
        throw new UnusualProtobuf(`wire type ${wireType}`, this.pos);
    }
  }
}
