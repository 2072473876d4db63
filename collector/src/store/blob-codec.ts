// How `contents` rows hold their text: small texts as they are, large ones deflated. Measured on
// this machine, one deflateRawSync call costs 40-80 µs whatever the size (stream setup), so
// only texts worth it are compressed; most contents are single chat messages below the bar.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** The `contents.encoding` column. */
export const ENCODING = {
  text: 0,
  deflate: 1,
} as const;
export type Encoding = (typeof ENCODING)[keyof typeof ENCODING];

/** Texts shorter than this are stored as they are. */
const MIN_DEFLATE_BYTES = 1024;

/** Plain texts are stored as SQLite TEXT (no copy into a Buffer), deflated ones as BLOB. */
export function encodeText(text: string): { encoding: Encoding; data: string | Buffer } {
  // text.length counts UTF-16 units: a cheap lower bound of the UTF-8 size.
  if (text.length < MIN_DEFLATE_BYTES) return { encoding: ENCODING.text, data: text };
  const deflated = deflateRawSync(text, { level: 4 });
  // Keep the plain text unless deflate saves at least a tenth.
  if (deflated.length > text.length * 0.9) return { encoding: ENCODING.text, data: text };
  return { encoding: ENCODING.deflate, data: deflated };
}

export function decodeText(encoding: Encoding, data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  switch (encoding) {
    case ENCODING.text:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    case ENCODING.deflate:
      return inflateRawSync(data).toString('utf8');
    default:
      throw new Error(`unknown content encoding ${String(encoding)}: was this database written by a newer Runlens?`);
  }
}
