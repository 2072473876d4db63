// The SQLite store: a writer worker thread owns the only writing connection; this thread keeps a
// read-only connection for queries and a bounded queue of writes. Concurrent writes are grouped
// into one transaction each time the writer is free (group commit), and each `write` resolves
// once the transaction holding its spans has committed.
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { MetricsQuery, MetricsResponse, NormalisedSpan, OtlpLogRecord, Run, RunsPage, RunsQuery, Span, TraceDetail, TraceSummary } from '@runlens/schema';
import type { RetentionConfig } from '../config.ts';
import { startCheckpointer, type Checkpointer } from './checkpointer.ts';
import { StoreReader } from './queries.ts';
import { TraceQueries } from './trace-queries.ts';
import { planPrune, PRUNE_BATCH_RUNS } from './retention.ts';
import {
  StoreBusyError,
  StoreOpenError,
  StoreUnavailableError,
  type PruneReport,
  type SqlResult,
  type SqlStatement,
  type Store,
  type StoreStats,
} from './store.ts';
import { toWriterSpan, type WriterSpan } from './span-rows.ts';
import type { WriterFailure, WriterOptions, WriterReply, WriterRequest } from './writer-protocol.ts';

export interface SqliteStoreOptions {
  /** Database file; created with its schema on first open. */
  path: string;
  retention: RetentionConfig;
  /** Spans accepted but not yet committed; above it `write` rejects with StoreBusyError. */
  maxQueuedSpans: number;
  /** Spans per transaction when writes pile up (measured: larger transactions gain ~10%). */
  maxBatchSpans?: number;
  /** Runs deleted per retention transaction. */
  pruneBatchRuns?: number;
  /** Extra PRAGMAs for the writing connection, applied after the defaults. */
  writerPragmas?: Record<string, string | number>;
}

const DEFAULTS = { maxBatchSpans: 4096, pruneBatchRuns: PRUNE_BATCH_RUNS, writerPragmas: {} };

/**
 * How the writer thread starts. Compiled (collector/dist, scripts/build-collector.mjs), its
 * bundle sits next to this one. From the TypeScript sources, the thread registers tsx, then loads
 * it. (On Node 20 a worker does not inherit `--import tsx`, and `execArgv: ['--import', …]` runs
 * too late for the entry file itself.) Paths are resolved here so it works from any directory.
 */
function writerEntry(): { source: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { source: new URL('./writer-worker.mjs', import.meta.url), eval: false };
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./writer-worker.ts', import.meta.url).href)}); });`;
  return { source, eval: true };
}

const WRITER_HEAP_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/** Batches sent to the writer before the first is answered: the next one is ready when it is free. */
const BATCHES_IN_FLIGHT = 2;

/** SQLite codes that mean "cannot take writes now", not a bug: the caller may retry later. */
const UNAVAILABLE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB|PERM)/;

interface PendingWrite {
  spans: WriterSpan[];
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Call {
  resolve: (reply: Extract<WriterReply, { type: 'done' }>) => void;
  reject: (error: Error) => void;
}

/** Opens (creating and migrating if needed) the SQLite store at `options.path`. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const opts = { ...DEFAULTS, ...options };
  const entry = writerEntry();
  const worker = new Worker(entry.source, {
    eval: entry.eval,
    workerData: { path: opts.path, retention: opts.retention, pragmas: opts.writerPragmas, pruneBatchRuns: opts.pruneBatchRuns } satisfies WriterOptions,
    // V8 sizes a heap from its limit: under the default (~4 GB here) the writer's heap grew to
    // ~4x its live data. Its live data is one batch (~25 MB at 4096 spans) and the content cache
    // (~8 MB); these limits cut peak RSS under load by ~60 MB at the same throughput (128/8 cost
    // ~30% of it). Reaching them stops the writer, and ingest then answers 503 (#fail).
    resourceLimits: WRITER_HEAP_LIMITS,
  });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: WriterReply) => {
      if (message.type === 'ready') done(resolve);
      else if (message.type === 'open-failed') done(() => reject(new StoreOpenError(message.message)));
    };
    const onError = (error: Error) => done(() => reject(new StoreOpenError(`cannot open database ${opts.path}: ${error.message}`)));
    const onExit = () => done(() => reject(new StoreOpenError(`cannot open database ${opts.path}: the writer stopped while opening it`)));
    const done = (settle: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      settle();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  let reader: Database.Database;
  try {
    reader = new Database(opts.path, { readonly: true, fileMustExist: true });
  } catch (error) {
    await worker.terminate();
    throw new StoreOpenError(`cannot open database ${opts.path} for reading: ${(error as Error).message}`);
  }
  const reportCheckpointFailure = (message: string) => console.error(`runlens: WAL checkpoint of ${opts.path} failed (the writer checkpoints instead): ${message}`);
  // Not fatal: without it the writer's own autocheckpoint keeps the WAL bounded, only slower.
  const checkpointer = await startCheckpointer(opts.path, reportCheckpointFailure).catch((error: Error) => {
    reportCheckpointFailure(error.message);
    return null;
  });
  return new SqliteStore(opts, worker, reader, checkpointer);
}

class SqliteStore implements Store {
  readonly path: string;
  readonly #worker: Worker;
  readonly #reader: Database.Database;
  readonly #checkpointer: Checkpointer | null;
  readonly #queries: StoreReader;
  readonly #traces: TraceQueries;
  readonly #maxQueuedSpans: number;
  readonly #retention: RetentionConfig;
  readonly #maxBatchSpans: number;
  readonly #listeners = new Set<(runs: Run[]) => void>();
  readonly #calls = new Map<number, Call>();
  /** Prepared statements of query(), by SQL text (callers pass a fixed set of texts). */
  readonly #statements = new Map<string, Database.Statement>();
  #pending: PendingWrite[] = [];
  #queuedSpans = 0;
  #inFlight = 0;
  #nextId = 1;
  /** Set when the writer thread died: every later write fails with this. */
  #broken: Error | null = null;
  #closing: Promise<void> | null = null;
  #drainWaiters: (() => void)[] = [];

  constructor(opts: Required<SqliteStoreOptions>, worker: Worker, reader: Database.Database, checkpointer: Checkpointer | null) {
    this.#checkpointer = checkpointer;
    this.path = opts.path;
    this.#worker = worker;
    this.#reader = reader;
    this.#queries = new StoreReader(reader);
    this.#traces = new TraceQueries(reader);
    this.#maxQueuedSpans = opts.maxQueuedSpans;
    this.#retention = opts.retention;
    this.#maxBatchSpans = opts.maxBatchSpans;
    worker.on('message', (message: WriterReply) => this.#onReply(message));
    worker.on('error', (error) => this.#fail(new StoreUnavailableError(`the store's writer stopped: ${error.message}`)));
    worker.on('exit', () => {
      if (!this.#closing) this.#fail(new StoreUnavailableError(`the store's writer stopped unexpectedly; restart the collector`));
    });
  }

  write(spans: NormalisedSpan[]): Promise<void> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#closing) return Promise.reject(new StoreUnavailableError('the store is closing'));
    if (spans.length === 0) return Promise.resolve();
    // An empty queue takes any request, so one larger than the bound is not refused forever.
    if (this.#queuedSpans > 0 && this.#queuedSpans + spans.length > this.#maxQueuedSpans) {
      return Promise.reject(new StoreBusyError(`write queue is full (${this.#queuedSpans} spans waiting, bound ${this.#maxQueuedSpans}); retry shortly`));
    }
    this.#queuedSpans += spans.length;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ spans: spans.map(toWriterSpan), resolve, reject });
      this.#sendWrites();
    });
  }

  async writeEvaluations(records: OtlpLogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#call({ type: 'evaluations', id: this.#nextId++, records });
  }

  listRuns(query: RunsQuery): RunsPage {
    return this.#queries.listRuns(query);
  }

  getTrace(traceId: string): TraceDetail | null {
    return this.#queries.getTrace(traceId);
  }

  getTraceSummary(traceId: string): TraceSummary | null {
    return this.#traces.getTraceSummary(traceId);
  }

  getSpan(traceId: string, spanId: string): Span | null {
    return this.#traces.getSpan(traceId, spanId);
  }

  metrics(query: MetricsQuery): MetricsResponse {
    return this.#queries.metrics(query);
  }

  stats(): StoreStats {
    const totals = this.#queries.totals();
    return { spans: totals.spans, runs: totals.runs, queueDepth: this.#queuedSpans, dbBytes: this.#queries.dbBytes() };
  }

  onRunsChanged(listener: (runs: Run[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async prune(options: { dryRun: boolean; now?: number }): Promise<PruneReport> {
    const now = options.now ?? Date.now();
    if (options.dryRun) return planPrune(this.#reader, this.#retention, now);
    const reply = await this.#call({ type: 'prune', id: this.#nextId++, now });
    return reply.report!;
  }

  async execute(statements: SqlStatement[]): Promise<SqlResult[]> {
    if (this.#closing) throw new StoreUnavailableError('the store is closing');
    if (statements.length === 0) return [];
    const reply = await this.#call({ type: 'execute', id: this.#nextId++, statements });
    return reply.results!;
  }

  query<T>(sql: string, params: unknown[] = []): T[] {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#reader.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement.all(...params) as T[];
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // Drain: every accepted write is committed (or has failed) before the writer closes.
      await this.#drained();
      await this.#checkpointer?.close();
      // The reader goes first: the last connection to close checkpoints the WAL into the
      // database file and removes it, and only the writer can.
      this.#reader.close();
      if (!this.#broken) {
        const exited = new Promise((resolve) => this.#worker.once('exit', resolve));
        await this.#call({ type: 'close', id: this.#nextId++ }).catch(() => undefined);
        await exited;
      }
    })();
    return this.#closing;
  }

  /** Sends queued writes to the writer, grouped into batches of up to maxBatchSpans. */
  #sendWrites(): void {
    while (this.#inFlight < BATCHES_IN_FLIGHT && this.#pending.length > 0) {
      const batch: PendingWrite[] = [];
      let size = 0;
      while (this.#pending.length > 0 && (batch.length === 0 || size + this.#pending[0]!.spans.length <= this.#maxBatchSpans)) {
        const next = this.#pending.shift()!;
        batch.push(next);
        size += next.spans.length;
      }
      this.#inFlight++;
      const spans = batch.length === 1 ? batch[0]!.spans : batch.flatMap((w) => w.spans);
      // postMessage copies the spans: ours are not needed while the writer commits (up to two
      // batches, tens of MB on the main thread).
      for (const w of batch) w.spans = [];
      const settle = () => {
        this.#inFlight--;
        this.#queuedSpans -= size;
        this.#sendWrites();
        this.#notifyIfDrained();
      };
      this.#call({ type: 'write', id: this.#nextId++, spans }).then(
        (reply) => {
          settle();
          for (const w of batch) w.resolve();
          if (reply.runs && reply.runs.length > 0) this.#emit(reply.runs);
        },
        (error: Error) => {
          settle();
          for (const w of batch) w.reject(error);
        },
      );
    }
  }

  #drained(): Promise<void> {
    if (this.#pending.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #notifyIfDrained(): void {
    if (this.#pending.length > 0 || this.#inFlight > 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  #call(request: WriterRequest): Promise<Extract<WriterReply, { type: 'done' }>> {
    if (this.#broken) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      this.#calls.set(request.id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }

  #onReply(message: WriterReply): void {
    if (message.type !== 'done' && message.type !== 'failed') return;
    const call = this.#calls.get(message.id);
    if (!call) return;
    this.#calls.delete(message.id);
    if (message.type === 'done') call.resolve(message);
    else call.reject(this.#writerError(message.error));
  }

  #writerError(failure: WriterFailure): Error {
    if (failure.code !== null && UNAVAILABLE_CODES.test(failure.code)) {
      const why = failure.code.startsWith('SQLITE_FULL')
        ? 'the disk is full (or the database reached its size limit)'
        : failure.code.startsWith('SQLITE_READONLY') || failure.code.startsWith('SQLITE_PERM')
          ? 'the file is read-only'
          : failure.code.startsWith('SQLITE_BUSY') || failure.code.startsWith('SQLITE_LOCKED')
            ? 'another process holds the write lock'
            : 'the disk reported an error';
      return new StoreUnavailableError(`database ${this.path} cannot take writes: ${why} (${failure.code}: ${failure.message}); nothing of this request was stored`);
    }
    return new Error(`store write failed: ${failure.message}`);
  }

  #emit(runs: Run[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(runs);
      } catch (error) {
        // One broken subscriber (a closed SSE stream) must not stop the others.
        console.error(`runlens: a run listener failed: ${(error as Error).message}`);
      }
    }
  }

  #fail(error: Error): void {
    if (this.#broken) return;
    this.#broken = error;
    for (const call of this.#calls.values()) call.reject(error);
    this.#calls.clear();
    for (const w of this.#pending.splice(0)) w.reject(error);
    this.#queuedSpans = 0;
    this.#inFlight = 0;
    this.#notifyIfDrained();
  }
}
