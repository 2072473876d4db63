// The export pipeline: a BatchSpanProcessor behind a gate that bounds the spans held in memory
// (queued or in flight) and counts what is dropped, exported or failed. Export runs off the
// agent's path: onEnd only pushes to a queue; HTTP happens on unref'd timers.
import { diag, TraceFlags, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

/** Counts of the spans this client handled since init(). */
export interface ExportStats {
  /** Spans ended and accepted into the export queue. */
  queued: number;
  /** Spans the exporter confirmed. */
  exported: number;
  /** Spans whose export failed after the exporter's retries (collector down, 5xx, timeout). */
  failed: number;
  /** Spans dropped because maxQueueSize spans were already waiting (memory stays bounded). */
  dropped: number;
  /** Spans queued or in flight right now. */
  pending: number;
}

export function emptyStats(): ExportStats {
  return { queued: 0, exported: 0, failed: 0, dropped: 0, pending: 0 };
}

/** Wraps an exporter to count outcomes; never lets an exporter exception reach the caller. */
export class CountingExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #stats: ExportStats;

  constructor(inner: SpanExporter, stats: ExportStats) {
    this.#inner = inner;
    this.#stats = stats;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) this.#stats.exported += spans.length;
      else this.#stats.failed += spans.length;
      this.#stats.pending = Math.max(0, this.#stats.pending - spans.length);
      resultCallback(result);
    };
    try {
      this.#inner.export(spans, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}

export interface BoundedProcessorOptions {
  exporter: SpanExporter;
  maxQueueSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/** BatchSpanProcessor with a hard bound on spans held (queued plus in flight) and drop counts. */
export class BoundedBatchProcessor implements SpanProcessor {
  readonly stats: ExportStats = emptyStats();
  readonly #inner: BatchSpanProcessor;
  readonly #maxPending: number;
  #closed = false;
  #warnedDrop = false;

  constructor(options: BoundedProcessorOptions) {
    this.#maxPending = options.maxQueueSize;
    this.#inner = new BatchSpanProcessor(new CountingExporter(options.exporter, this.stats), {
      maxQueueSize: options.maxQueueSize,
      maxExportBatchSize: Math.min(512, options.maxQueueSize),
      scheduledDelayMillis: options.scheduledDelayMillis,
      exportTimeoutMillis: options.exportTimeoutMillis,
    });
  }

  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.#closed || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.stats.pending >= this.#maxPending) {
      this.stats.dropped++;
      if (!this.#warnedDrop) {
        this.#warnedDrop = true;
        diag.warn(`runlens: export queue full (${this.#maxPending} spans), dropping spans; is the collector reachable?`);
      }
      return;
    }
    this.stats.pending++;
    this.stats.queued++;
    this.#inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush().catch(reportExportError);
  }

  shutdown(): Promise<void> {
    this.#closed = true;
    return this.#inner.shutdown().catch(reportExportError);
  }
}

// Export failures are counted in stats; flushing must not turn them into agent errors.
function reportExportError(error: unknown): void {
  diag.debug(`runlens: export failed: ${(error as Error)?.message ?? String(error)}`);
}

