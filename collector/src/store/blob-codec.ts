// How `contents` rows hold their text: short texts as they are (SQLite TEXT), longer ones
// deflated (BLOB) with a small window and a preset dictionary of chat-message JSON. Measured on
// a 650-byte tool message: 651 → 219 bytes with zlib defaults at 15 µs CPU; 651 → 180 bytes with
// this setting at 10-11 µs (the default's 256 KiB of state per call is what costs).
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/** The `contents.encoding` column. */
export const ENCODING = {
  text: 0,
  /** deflate-raw, windowBits 11, with DICTIONARY_V1. */
  deflateV1: 1,
} as const;
export type Encoding = (typeof ENCODING)[keyof typeof ENCODING];

// Never edit: stored contents depend on it byte for byte. To change it, add an encoding.
// Zlib looks back from the end of a dictionary, so the commonest strings come last.
const DICTIONARY_V1 = Buffer.from(
  [
    '"finish_reason":"stop"',
    '"finish_reason":"tool_call"',
    '{"type":"reasoning","content":"',
    '{"role":"system","parts":[{"type":"text","content":"',
    '{"role":"tool","parts":[{"type":"tool_call_response","id":"call_',
    '","response":{"',
    '{"role":"assistant","parts":[{"type":"tool_call","id":"call_',
    '","name":"',
    '","arguments":{"',
    '{"role":"assistant","parts":[{"type":"text","content":"',
    '{"role":"user","parts":[{"type":"text","content":"',
  ].join(''),
);
const DEFLATE_V1 = { level: 4, windowBits: 11, memLevel: 3, dictionary: DICTIONARY_V1 };
const INFLATE_V1 = { windowBits: 11, dictionary: DICTIONARY_V1, finishFlush: constants.Z_SYNC_FLUSH };

/** Texts shorter than this are stored as they are: measured, deflating every text from 128
 * characters up cost 22% of the writer for a few percent less disk; most bytes are in longer texts. */
const MIN_DEFLATE_CHARS = 400;

/** Plain texts are stored as SQLite TEXT (no copy into a Buffer), deflated ones as BLOB. */
export function encodeText(text: string): { encoding: Encoding; data: string | Buffer } {
  if (text.length < MIN_DEFLATE_CHARS) return { encoding: ENCODING.text, data: text };
  const deflated = deflateRawSync(text, DEFLATE_V1);
  // text.length counts UTF-16 units, a lower bound of the UTF-8 size: keep the plain text
  // unless deflate saves at least a tenth of it.
  if (deflated.length > text.length * 0.9) return { encoding: ENCODING.text, data: text };
  return { encoding: ENCODING.deflateV1, data: deflated };
}

export function decodeText(encoding: Encoding, data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  switch (encoding) {
    case ENCODING.text:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    case ENCODING.deflateV1:
      return inflateRawSync(data, INFLATE_V1).toString('utf8');
    default:
      throw new Error(`unknown content encoding ${String(encoding)}: was this database written by a newer Runlens?`);
  }
}
