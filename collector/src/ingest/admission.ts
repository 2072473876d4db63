// Admission control for OTLP exports, decided before a body is read. The store's queue bound
// counts spans only once a body has been read, decoded and normalised (~11 KB of memory per span
// by then), so under overload memory grew with every waiting request and exporters timed out
// instead of being told to retry. Here each export counts its bytes while it is in flight (from
// Content-Length, or as they are read for a chunked body) until it is answered. Over the byte
// budget, or with the store's queue full, an export waits, its body unread, for a moment: a few
// exports at a time, in arrival order, for at most maxWaitMs. Only when that line is full, or the
// wait runs out, is it answered 503 with Retry-After. Waiting costs no memory beyond the socket's
// buffers, and it keeps the pipeline fed: an exporter told to retry sleeps a whole second, and
// under a steady load a quarter of the exports were refused that way while the main thread and
// the writer each sat idle a quarter of the time (profile of 2026-11-26, bench/README.md).
import type { MiddlewareHandler } from 'hono';
import type { IngestAdmissionStats } from '@runlens/schema';
import { StoreBusyError } from '../store/store.ts';

export interface AdmissionOptions {
  /** Request bytes (as sent, before decompression) held by exports not yet answered (config.ts has the measured default). */
  maxBytesInFlight: number;
  /** Spans accepted by the store and not yet committed (Store.stats().queueDepth). */
  queueDepth: () => number;
  /** The store's queue bound: at or above it new exports are refused before their body is read. */
  maxQueuedSpans: number;
  /** Retry-After on a refusal while few are refused; 1 s fits the exporters' 10 s timeout and backoff. */
  retryAfterSeconds?: number;
  /** Retry-After under heavy overload (it grows with the refusals, see #counting). */
  maxRetryAfterSeconds?: number;
  /** Exports that may wait, body unread, for the budget; any more are refused at once. */
  maxWaiting?: number;
  /** How long one export may wait for the budget before it is refused after all. */
  maxWaitMs?: number;
  /** Clock in milliseconds (tests); performance.now by default. */
  now?: () => number;
}

/**
 * Defaults, measured on the ingest bench (bench/README.md, fourth pass): 16 waiting exports hold
 * at most ~1.3 MB of socket data in the process; a wait of up to 2 s keeps an exporter well inside
 * its 10 s timeout, and a refusal after it is retried a second later as before.
 */
export const ADMISSION_WAIT_DEFAULTS = { maxWaiting: 16, maxWaitMs: 2000 };

/**
 * 5 s: the OTLP/HTTP exporter of OpenTelemetry JS gives an export 10 s in all and does not retry
 * when Retry-After would take it past that, so a refused export still gets a second attempt.
 */
export const MAX_RETRY_AFTER_SECONDS = 5;

/** An export waiting for the budget. */
interface Waiter {
  declared: number;
  admitted: () => void;
  timer: NodeJS.Timeout;
}

/** The collector is over its admission budget; the route's error handler answers 503 + Retry-After. */
export class AdmissionRefusedError extends StoreBusyError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, retryAfterSeconds);
    this.name = 'AdmissionRefusedError';
  }
}

export class IngestAdmission {
  readonly #opts: Required<AdmissionOptions>;
  #bytes = 0;
  #requests = 0;
  #refused = 0;
  readonly #waiting: Waiter[] = [];
  #waited = 0;
  /** Rechecks the store's queue while exports wait and none is in flight to wake them. */
  #poll: NodeJS.Timeout | null = null;
  /** Exports admitted and refused in the current second, and the Retry-After set from the one before. */
  #thisSecond = { second: 0, admitted: 0, refused: 0 };
  #retryAfterSeconds: number;

  constructor(options: AdmissionOptions) {
    this.#opts = { retryAfterSeconds: 1, maxRetryAfterSeconds: MAX_RETRY_AFTER_SECONDS, now: () => performance.now(), ...ADMISSION_WAIT_DEFAULTS, ...options };
    this.#retryAfterSeconds = this.#opts.retryAfterSeconds;
  }

  stats(): IngestAdmissionStats {
    return {
      requestsInFlight: this.#requests,
      bytesInFlight: this.#bytes,
      maxBytesInFlight: this.#opts.maxBytesInFlight,
      waiting: this.#waiting.length,
      waited: this.#waited,
      refused: this.#refused,
      retryAfterSeconds: this.#counting().retryAfterSeconds,
    };
  }

  /**
   * Takes `declared` bytes for a new export. Over the budget the export waits its turn (arrival
   * order) for up to maxWaitMs, as long as fewer than maxWaiting already wait; otherwise, or when
   * the wait runs out, it throws AdmissionRefusedError. An idle collector takes any one request,
   * so a body larger than the budget is not refused forever (the body size cap answers 413).
   */
  async acquire(declared: number): Promise<void> {
    // Behind exports already waiting, a new one waits too, even if it would fit.
    if (this.#waiting.length === 0 && this.#refusal(declared) === null) return this.#take(declared);
    const { maxWaiting, maxWaitMs } = this.#opts;
    if (this.#waiting.length >= maxWaiting) throw this.#refuse(this.#whyWaiting(declared));
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        declared,
        admitted: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          reject(this.#refuse(`${this.#whyWaiting(declared)} (waited ${maxWaitMs} ms)`));
          // A smaller export behind it may fit.
          this.#wake();
        }, maxWaitMs),
      };
      this.#waiting.push(waiter);
      this.#waited++;
      this.#wake();
    });
  }

  /** Why `declared` bytes cannot be taken now, or null when they can. */
  #refusal(declared: number): string | null {
    const { maxBytesInFlight, maxQueuedSpans } = this.#opts;
    const queued = this.#opts.queueDepth();
    if (queued >= maxQueuedSpans) return busy(`${queued} spans waiting to be written, bound ${maxQueuedSpans}`);
    if (this.#requests > 0 && this.#bytes + declared > maxBytesInFlight) return this.#busyBytes(declared);
    return null;
  }

  /** Why an export waits or is refused: its own refusal, or (it would fit) the budget the exports ahead of it wait for. */
  #whyWaiting(declared: number): string {
    return this.#refusal(declared) ?? this.#busyBytes(declared);
  }

  #busyBytes(declared: number): string {
    return busy(`${this.#bytes} request bytes in flight, ${declared} more asked, budget ${this.#opts.maxBytesInFlight}`);
  }

  #take(declared: number): void {
    this.#bytes += declared;
    this.#requests++;
    this.#counting().thisSecond.admitted++;
  }

  #refuse(message: string): AdmissionRefusedError {
    this.#refused++;
    const { thisSecond, retryAfterSeconds } = this.#counting();
    thisSecond.refused++;
    return new AdmissionRefusedError(message, retryAfterSeconds);
  }

  /**
   * The counts of the current second, and the Retry-After a refusal gets in it. Each refused
   * exporter comes back after that delay, so refusals per second are about (exporters kept out) /
   * Retry-After, and each costs reading a body that is thrown away: under 256 senders that reading took the main thread from storing. Once a second
   * the delay is set so the exporters refused can be taken in that time at the rate exports
   * were admitted: last second's refusals × the delay they were given ÷ its admissions, between
   * retryAfterSeconds and maxRetryAfterSeconds. A few refusals leave it at the minimum.
   */
  #counting(): { thisSecond: { admitted: number; refused: number }; retryAfterSeconds: number } {
    const second = Math.floor(this.#opts.now() / 1000);
    const last = this.#thisSecond;
    if (second !== last.second) {
      const { retryAfterSeconds: min, maxRetryAfterSeconds: max } = this.#opts;
      // A gap of more than a second: nothing was counted in the second just before.
      const kept = second === last.second + 1 ? (last.refused * this.#retryAfterSeconds) / Math.max(1, last.admitted) : 0;
      this.#retryAfterSeconds = Math.min(max, Math.max(min, Math.ceil(kept)));
      this.#thisSecond = { second, admitted: 0, refused: 0 };
    }
    return { thisSecond: this.#thisSecond, retryAfterSeconds: this.#retryAfterSeconds };
  }

  /** Admits waiting exports, first come first served, while they fit. */
  #wake(): void {
    while (this.#waiting.length > 0 && this.#refusal(this.#waiting[0]!.declared) === null) {
      const waiter = this.#waiting.shift()!;
      clearTimeout(waiter.timer);
      this.#take(waiter.declared);
      waiter.admitted();
    }
    // Nothing in flight will release and wake them: only the store's queue (written by something
    // other than these exports) holds them back, so look again shortly.
    if (this.#waiting.length > 0 && this.#requests === 0 && this.#poll === null) {
      this.#poll = setTimeout(() => {
        this.#poll = null;
        this.#wake();
      }, 25);
    }
  }

  /** Adds bytes read from a body of unknown length; throws once over the budget. */
  #grow(bytes: number): void {
    this.#bytes += bytes;
    if (this.#requests > 1 && this.#bytes > this.#opts.maxBytesInFlight) {
      throw this.#refuse(busy(`${this.#bytes} request bytes in flight, budget ${this.#opts.maxBytesInFlight}`));
    }
  }

  /** Gives back the bytes of an export that has been answered, and admits the exports waiting that now fit. */
  release(bytes: number): void {
    this.#bytes -= bytes;
    this.#requests--;
    this.#wake();
  }

  /** Hono middleware for the export routes: admit, run the route, release when it has answered. */
  readonly middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const header = c.req.header('content-length');
    const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
    try {
      await this.acquire(declared ?? 0);
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
      this.release(held);
    }
  };
}

/** A refusal's message: what the collector is busy with, and what the exporter should do. */
function busy(reason: string): string {
  return `the collector is busy (${reason}); nothing was stored, retry shortly`;
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body === null) return;
  try {
    for await (const _ of body as unknown as AsyncIterable<Uint8Array>) void _;
  } catch {
    // The client went away: nothing to answer.
  }
}
