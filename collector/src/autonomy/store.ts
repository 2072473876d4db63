// Autonomy levels in the database. Reads go through a read connection; a change is one
// transaction on the store's single writer: the new level, its entry in `autonomy_changes`, and
// a row in the access log (`access_log`, action `autonomy.set`), committed together.
import type { AutonomyChange, AutonomyState } from '@runlens/schema';
import { DEFAULT_AUTONOMY, type Autonomy } from './levels.ts';

/** The two store operations the control plane needs (Store has both). */
export interface ControlStore {
  execute(statements: { sql: string; params?: unknown[] }[]): Promise<{ changes: number; lastInsertRowid: number | bigint }[]>;
  query<T>(sql: string, params?: unknown[]): T[];
}

export type { AutonomyChange, AutonomyState } from '@runlens/schema';

interface AutonomyRow {
  service: string;
  level: string;
  reason: string | null;
  changed_by: string;
  changed_at: number | bigint;
}

function stateFromRow(row: AutonomyRow): AutonomyState {
  return { service: row.service, level: row.level as Autonomy, reason: row.reason, changedBy: row.changed_by, changedAt: Number(row.changed_at) };
}

export function getAutonomy(store: Pick<ControlStore, 'query'>, service: string): AutonomyState {
  const row = store.query<AutonomyRow>('SELECT service, level, reason, changed_by, changed_at FROM autonomy WHERE service = ?', [service])[0];
  return row ? stateFromRow(row) : { service, level: DEFAULT_AUTONOMY, reason: null, changedBy: null, changedAt: null };
}

/** Every service whose level was ever set, by name. */
export function listAutonomy(store: Pick<ControlStore, 'query'>): AutonomyState[] {
  return store.query<AutonomyRow>('SELECT service, level, reason, changed_by, changed_at FROM autonomy ORDER BY service').map(stateFromRow);
}

/** The latest changes, newest first (of one service when given). */
export function listAutonomyChanges(store: Pick<ControlStore, 'query'>, service?: string, limit = 50): AutonomyChange[] {
  const rows = store.query<{ service: string; previous_level: string; level: string; reason: string | null; changed_by: string; changed_at: number | bigint; source: string }>(
    `SELECT service, previous_level, level, reason, changed_by, changed_at, source FROM autonomy_changes
     ${service !== undefined ? 'WHERE service = ?' : ''} ORDER BY changed_at DESC, id DESC LIMIT ?`,
    service !== undefined ? [service, limit] : [limit],
  );
  return rows.map((r) => ({
    service: r.service,
    previousLevel: r.previous_level as Autonomy,
    level: r.level as Autonomy,
    reason: r.reason,
    changedBy: r.changed_by,
    changedAt: Number(r.changed_at),
    source: r.source,
  }));
}

export interface SetAutonomyRequest {
  service: string;
  level: Autonomy;
  reason?: string | null;
  /** principalName() of the caller. */
  by: string;
  /** api, cli or viewer. */
  source: string;
  now?: number;
}

/** Sets a level; resolves after the commit with the change as recorded. */
export async function setAutonomy(store: ControlStore, request: SetAutonomyRequest): Promise<AutonomyChange> {
  const now = request.now ?? Date.now();
  const reason = request.reason?.trim() ? request.reason.trim() : null;
  const previous = `coalesce((SELECT level FROM autonomy WHERE service = ?), '${DEFAULT_AUTONOMY}')`;
  await store.execute([
    // The log rows read the previous level inside the same transaction, before the upsert.
    {
      sql: `INSERT INTO autonomy_changes (service, previous_level, level, reason, changed_by, changed_at, source)
            VALUES (?, ${previous}, ?, ?, ?, ?, ?)`,
      params: [request.service, request.service, request.level, reason, request.by, now, request.source],
    },
    {
      sql: `INSERT INTO access_log (at, principal, action, trace_id, query)
            VALUES (?, ?, 'autonomy.set', NULL, ? || ': ' || ${previous} || ' -> ' || ?${reason ? " || ' (' || ? || ')'" : ''})`,
      params: [now, request.by, request.service, request.service, request.level, ...(reason ? [reason] : [])],
    },
    {
      sql: `INSERT INTO autonomy (service, level, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (service) DO UPDATE SET level = excluded.level, reason = excluded.reason,
              changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
      params: [request.service, request.level, reason, request.by, now],
    },
  ]);
  return listAutonomyChanges(store, request.service, 1)[0]!;
}
