// Reads a request body with a cap measured after decompression. Decompression streams: a gzip
// bomb is stopped as soon as its output passes the cap, so at most about `maxBytes` is ever
// held in memory, whatever the compressed body would inflate to.
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate } from 'node:zlib';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { InvalidRequestError } from './errors.ts';

/** The body is over the cap (before or after decompression): the route answers 413. */
export class BodyTooLargeError extends Error {
  constructor(maxBytes: number, decompressed: boolean) {
    super(
      `request body is larger than the limit of ${maxBytes} bytes${decompressed ? ' after decompression' : ''}; ` +
        'send smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) or raise maxBodySize',
    );
    this.name = 'BodyTooLargeError';
  }
}

/** The Content-Encoding is not one the receiver decodes: the route answers 415. */
export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`Content-Encoding ${JSON.stringify(encoding)} is not supported; send gzip, deflate or an uncompressed body`);
    this.name = 'UnsupportedEncodingError';
  }
}

const EMPTY = Buffer.alloc(0);

/** Counts bytes through a stream and fails as soon as they pass the cap. */
class ByteCap extends Transform {
  #seen = 0;
  readonly #maxBytes: number;
  readonly #decompressed: boolean;

  constructor(maxBytes: number, decompressed: boolean) {
    super();
    this.#maxBytes = maxBytes;
    this.#decompressed = decompressed;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#maxBytes) callback(new BodyTooLargeError(this.#maxBytes, this.#decompressed));
    else callback(null, chunk);
  }
}

function decoderFor(encoding: string): Transform | null {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2).
    case 'deflate':
      return createInflate();
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

/**
 * The request body as one Buffer, decompressed per Content-Encoding. Throws BodyTooLargeError
 * when the body passes `maxBytes` before or after decompression, UnsupportedEncodingError for
 * an unknown encoding and InvalidRequestError for a corrupt compressed body.
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Buffer> {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase();
  const decoder = decoderFor(encoding);
  // Refuse a declared oversize body before reading any of it.
  const declaredLength = Number(request.headers.get('content-length') ?? 0);
  if (declaredLength > maxBytes) throw new BodyTooLargeError(maxBytes, false);
  if (request.body === null) return EMPTY;

  const chunks: Buffer[] = [];
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) chunks.push(chunk);
  };
  const source = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
  try {
    if (decoder === null) await pipeline(source, new ByteCap(maxBytes, false), collect);
    else await pipeline(source, new ByteCap(maxBytes, false), decoder, new ByteCap(maxBytes, true), collect);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    // zlib errors carry codes such as Z_DATA_ERROR ("incorrect header check").
    if (decoder !== null && typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('Z_')) {
      throw new InvalidRequestError(`body is not valid ${encoding} data: ${(error as Error).message}`);
    }
    throw error;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
