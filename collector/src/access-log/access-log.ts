// The access log: who read which trace's contents, and when. Reads must never wait on the
// writer, so entries are buffered and written in one transaction every `flushMs`; old entries
// are deleted under their own retention (config `accessLog.maxAge`).
import type { Store } from '../store/store.ts';

export interface AccessLogEntry {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  principal: string;
  action: 'trace' | 'search';
  traceId: string | null;
  query: string | null;
}

export interface AccessLogOptions {
  maxAgeMs: number;
  flushMs?: number;
  /** How often old entries are deleted. */
  pruneEveryMs?: number;
}

export interface AccessLogQuery {
  limit: number;
  /** Entries with an id below this (the previous page's nextCursor). */
  before?: number;
  traceId?: string;
  principal?: string;
}

interface Row {
  id: number;
  at: number;
  principal: string;
  action: 'trace' | 'search';
  trace_id: string | null;
  query: string | null;
}

/** Entries buffered beyond this are dropped (counted, logged once) rather than growing memory. */
const MAX_BUFFERED = 50_000;
const PRUNE_BATCH = 10_000;

export class AccessLog {
  readonly #store: Store;
  readonly #maxAgeMs: number;
  readonly #pruneEveryMs: number;
  readonly #timer: NodeJS.Timeout;
  #buffer: Omit<AccessLogEntry, 'id'>[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #lastPrune = 0;
  #dropped = 0;
  #closed = false;

  constructor(store: Store, options: AccessLogOptions) {
    this.#store = store;
    this.#maxAgeMs = options.maxAgeMs;
    this.#pruneEveryMs = options.pruneEveryMs ?? 60_000;
    this.#timer = setInterval(() => void this.flush(), options.flushMs ?? 500);
    this.#timer.unref();
  }

  record(entry: Omit<AccessLogEntry, 'id' | 'at'> & { at?: number }): void {
    if (this.#closed) return;
    if (this.#buffer.length >= MAX_BUFFERED) {
      if (this.#dropped++ === 0) console.error('runlens: access log buffer full (the database is not taking writes); dropping entries');
      return;
    }
    this.#buffer.push({ ...entry, at: entry.at ?? Date.now() });
  }

  /** Writes what is buffered (and deletes expired entries when due); resolves after commit. */
  flush(now = Date.now()): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const entries = this.#buffer.splice(0);
      const statements = entries.map((e) => ({
        sql: 'INSERT INTO access_log (at, principal, action, trace_id, query) VALUES (?, ?, ?, ?, ?)',
        params: [e.at, e.principal, e.action, e.traceId, e.query],
      }));
      if (now - this.#lastPrune >= this.#pruneEveryMs) {
        this.#lastPrune = now;
        statements.push({
          sql: `DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? ORDER BY at LIMIT ${PRUNE_BATCH})`,
          params: [now - this.#maxAgeMs],
        });
      }
      if (statements.length === 0) return;
      try {
        await this.#store.execute(statements);
        this.#dropped = 0;
      } catch (error) {
        // Kept for the next flush (bounded by MAX_BUFFERED): a full disk must not lose the log.
        this.#buffer.unshift(...entries);
        if (this.#dropped++ === 0) console.error(`runlens: could not write the access log: ${(error as Error).message}`);
      }
    });
    return this.#flushing;
  }

  /** Newest first; flushes first so a read just made is listed. */
  async list(query: AccessLogQuery): Promise<{ entries: AccessLogEntry[]; nextCursor: string | null }> {
    await this.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.before !== undefined) (where.push('id < ?'), params.push(query.before));
    if (query.traceId !== undefined) (where.push('trace_id = ?'), params.push(query.traceId));
    if (query.principal !== undefined) (where.push('principal = ?'), params.push(query.principal));
    params.push(query.limit + 1);
    const rows = this.#store.query<Row>(
      `SELECT id, at, principal, action, trace_id, query FROM access_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      params,
    );
    const page = rows.slice(0, query.limit);
    return {
      entries: page.map((r) => ({ id: r.id, at: r.at, principal: r.principal, action: r.action, traceId: r.trace_id, query: r.query })),
      nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** Idempotent: stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.#closed) return this.#flushing;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }
}
