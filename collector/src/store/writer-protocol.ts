// Messages between the store (main thread) and its writer worker. BigInt times cross postMessage
// as they are; spans go in their writer form (inputs and outputs already serialised, span-rows.ts).
import type { OtlpLogRecord, Run } from '@runlens/schema';
import type { RetentionConfig } from '../config.ts';
import type { WriterSpan } from './span-rows.ts';
import type { PruneReport, SqlResult, SqlStatement } from './store.ts';

export interface WriterOptions {
  path: string;
  retention: RetentionConfig;
  /** Applied after the defaults of migrate.ts (tests use it to cap the file size). */
  pragmas: Record<string, string | number>;
  pruneBatchRuns: number;
}

export type WriterRequest =
  | { type: 'write'; id: number; spans: WriterSpan[] }
  | { type: 'evaluations'; id: number; records: OtlpLogRecord[] }
  | { type: 'prune'; id: number; now: number }
  | { type: 'execute'; id: number; statements: SqlStatement[] }
  | { type: 'close'; id: number };

export interface WriterFailure {
  message: string;
  /** SQLite's error code (SQLITE_FULL, SQLITE_READONLY, …) when SQLite raised it. */
  code: string | null;
}

export type WriterReply =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'done'; id: number; runs?: Run[]; kept?: number; report?: PruneReport; results?: SqlResult[] }
  | { type: 'failed'; id: number; error: WriterFailure };
