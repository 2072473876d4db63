// The one interface the rest of the collector uses to reach storage. SQLite is the embedded
// implementation (sqlite-store.ts); a PostgreSQL one could sit behind the same interface.
import type {
  MetricsQuery,
  MetricsResponse,
  NormalisedSpan,
  OtlpLogRecord,
  Run,
  RunsPage,
  RunsQuery,
  Span,
  TraceDetail,
} from '@runlens/schema';
import type { TraceSummary } from '@runlens/schema';

export interface StoreStats {
  spans: number;
  runs: number;
  /** Spans accepted but not yet committed. */
  queueDepth: number;
  dbBytes: number;
}

export interface PruneReport {
  dryRun: boolean;
  spansDeleted: number;
  runsDeleted: number;
  contentsDropped: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface Store {
  /** Path of the database file. */
  readonly path: string;
  /**
   * Resolves once the transaction holding these spans has committed (an acknowledged span is
   * on disk). Rejects with StoreBusyError when the write queue is over its bound, and with
   * StoreUnavailableError when the database cannot take writes (disk full, read-only).
   */
  write(spans: NormalisedSpan[]): Promise<void>;
  /** Stores `gen_ai.evaluation.result` log records against the spans they judge. */
  writeEvaluations(records: OtlpLogRecord[]): Promise<void>;
  listRuns(query: RunsQuery): RunsPage;
  getTrace(traceId: string): TraceDetail | null;
  /** The run and its spans without inputs, outputs and attributes (the waterfall of a large trace). */
  getTraceSummary(traceId: string): TraceSummary | null;
  /** One span in full; null when the trace or the span is unknown. */
  getSpan(traceId: string, spanId: string): Span | null;
  metrics(query: MetricsQuery): MetricsResponse;
  stats(): StoreStats;
  /** Called after each commit with the runs it created or changed. Returns an unsubscribe. */
  onRunsChanged(listener: (runs: Run[]) => void): () => void;
  prune(options: { dryRun: boolean; now?: number }): Promise<PruneReport>;
  /**
   * Runs the statements in one transaction on the writer (control-plane writes: keys, users,
   * the access log); resolves after commit with each statement's result.
   */
  execute(statements: SqlStatement[]): Promise<SqlResult[]>;
  /** One read-only query on the main thread's connection (prepared once per SQL text). */
  query<T>(sql: string, params?: unknown[]): T[];
  close(): Promise<void>;
}

export interface SqlStatement {
  sql: string;
  params?: unknown[];
}

export interface SqlResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** Too busy to take the spans now: answer 503 with Retry-After and let the client retry. */
export class StoreBusyError extends Error {
  constructor(
    message: string,
    /** When the client should try again. */
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
    this.name = 'StoreBusyError';
  }
}

/** The database cannot take writes right now (disk full, read-only file); nothing was stored. */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/** The database cannot be opened: not SQLite, damaged, written by a newer Runlens, or not writable. */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
