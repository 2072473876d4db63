// Admission control for OTLP exports, decided before a body is read. The store's queue bound
// counts spans only once a body has been read, decoded and normalised (~11 KB of memory per span
// by then), so under overload memory grew with every waiting request and exporters timed out
// instead of being told to retry. Here each export counts its bytes while it is in flight (from
// Content-Length, or as they are read for a chunked body) until it is answered; over the byte
// budget, or with the store's queue already full, it is answered 503 with Retry-After at once.
import type { MiddlewareHandler } from 'hono';
import { StoreBusyError } from '../store/store.ts';

export interface AdmissionOptions {
  /** Request bytes (as sent, before decompression) held by exports not yet answered (config.ts has the measured default). */
  maxBytesInFlight: number;
  /** Spans accepted by the store and not yet committed (Store.stats().queueDepth). */
  queueDepth: () => number;
  /** The store's queue bound: at or above it new exports are refused before their body is read. */
  maxQueuedSpans: number;
  /** Retry-After on a refusal; 1 s fits the exporters' 10 s timeout and backoff. */
  retryAfterSeconds?: number;
}

export interface AdmissionStats {
  /** Exports being read, decoded or written. */
  requestsInFlight: number;
  /** Their bytes (declared, or read so far for chunked bodies). */
  bytesInFlight: number;
  maxBytesInFlight: number;
  /** Exports answered 503 by admission since start. */
  refused: number;
}

/** The collector is over its admission budget; the route's error handler answers 503 + Retry-After. */
export class AdmissionRefusedError extends StoreBusyError {
  constructor(message: string) {
    super(0, 0);
    this.message = message;
    this.name = 'AdmissionRefusedError';
  }
}

export class IngestAdmission {
  readonly #opts: Required<AdmissionOptions>;
  #bytes = 0;
  #requests = 0;
  #refused = 0;

  constructor(options: AdmissionOptions) {
    this.#opts = { retryAfterSeconds: 1, ...options };
  }

  stats(): AdmissionStats {
    return { requestsInFlight: this.#requests, bytesInFlight: this.#bytes, maxBytesInFlight: this.#opts.maxBytesInFlight, refused: this.#refused };
  }

  /**
   * Takes `declared` bytes for a new export, or throws AdmissionRefusedError. An idle collector
   * takes any one request, so a body larger than the budget is not refused forever (the body
   * size cap answers 413 for those).
   */
  admit(declared: number): void {
    const { maxBytesInFlight, maxQueuedSpans } = this.#opts;
    const queued = this.#opts.queueDepth();
    if (queued >= maxQueuedSpans) {
      this.#refused++;
      throw new AdmissionRefusedError(`the collector is busy (${queued} spans waiting to be written, bound ${maxQueuedSpans}); nothing was stored, retry shortly`);
    }
    if (this.#requests > 0 && this.#bytes + declared > maxBytesInFlight) {
      this.#refused++;
      throw new AdmissionRefusedError(
        `the collector is busy (${this.#bytes} request bytes in flight, budget ${maxBytesInFlight}); nothing was stored, retry shortly`,
      );
    }
    this.#bytes += declared;
    this.#requests++;
  }

  /** Adds bytes read from a body of unknown length; throws once over the budget. */
  #grow(bytes: number): void {
    this.#bytes += bytes;
    if (this.#requests > 1 && this.#bytes > this.#opts.maxBytesInFlight) {
      this.#refused++;
      throw new AdmissionRefusedError(
        `the collector is busy (${this.#bytes} request bytes in flight, budget ${this.#opts.maxBytesInFlight}); nothing was stored, retry shortly`,
      );
    }
  }

  #release(bytes: number): void {
    this.#bytes -= bytes;
    this.#requests--;
  }

  /** Hono middleware for the export routes: admit, run the route, release when it has answered. */
  readonly middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const header = c.req.header('content-length');
    const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
    try {
      this.admit(declared ?? 0);
    } catch (error) {
      // Read and drop the body before answering: a client still sending when the connection is
      // closed sees a reset instead of the 503 it should retry after. Nothing is kept.
      await discard(c.req.raw.body);
      throw error;
    }
    let held = declared ?? 0;
    try {
      const body = c.req.raw.body;
      if (declared === null && body !== null) {
        // Chunked: count the bytes as the route reads them.
        const counted = body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform: (chunk, controller) => {
              held += chunk.byteLength;
              this.#grow(chunk.byteLength);
              controller.enqueue(chunk);
            },
          }),
        );
        c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit);
      }
      await next();
    } finally {
      this.#release(held);
    }
  };
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null) return;
  try {
    for await (const _ of body as unknown as AsyncIterable<Uint8Array>) void _;
  } catch {
    // The client went away: nothing to answer.
  }
}
