// Ingest keys and user tokens, kept hashed in the database (migration 0100). Writes go through
// the store's one writer; lookups read the main thread's read-only connection, so a key revoked
// by `runlens keys revoke` in another process stops working on its next request.
import type { Store } from '../store/store.ts';
import type { Principal, UserRole } from './principal.ts';
import { issueToken, parseToken, tokenMatches } from './tokens.ts';

export interface IngestKeyInfo {
  id: string;
  identity: string;
  service: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface UserInfo {
  id: string;
  name: string;
  role: UserRole;
  createdAt: number;
  revokedAt: number | null;
}

/** Why a presented token was refused: the message says what to do. */
export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

interface KeyRow {
  id: string;
  identity: string;
  service: string | null;
  hash: Uint8Array;
  created_at: number;
  revoked_at: number | null;
}

interface UserRow {
  id: string;
  name: string;
  role: UserRole;
  hash: Uint8Array;
  created_at: number;
  revoked_at: number | null;
}

const ROLES: readonly UserRole[] = ['viewer', 'admin'];
/** Whether any key or user exists is asked on every request; the answer is kept this long. */
const PRESENCE_TTL_MS = 1000;
const NO_HASH = new Uint8Array(32);

export class Credentials {
  readonly #store: Store;
  #presence: { keys: boolean; users: boolean; at: number } | null = null;

  constructor(store: Store) {
    this.#store = store;
  }

  async createKey(identity: string, service: string | null, now = Date.now()): Promise<{ key: IngestKeyInfo; token: string }> {
    if (!/^[A-Za-z0-9_.:@/-]{1,100}$/.test(identity)) {
      throw new RangeError(`identity must be 1-100 letters, digits or _ . : @ / -, got ${JSON.stringify(identity)}`);
    }
    const { id, token, hash } = issueToken('ingest');
    await this.#store.execute([
      { sql: 'INSERT INTO ingest_keys (id, identity, service, hash, created_at) VALUES (?, ?, ?, ?, ?)', params: [id, identity, service, hash, now] },
    ]);
    this.#presence = null;
    return { key: { id, identity, service, createdAt: now, revokedAt: null }, token };
  }

  listKeys(): IngestKeyInfo[] {
    return this.#store
      .query<KeyRow>('SELECT id, identity, service, created_at, revoked_at FROM ingest_keys ORDER BY created_at, id')
      .map((r) => ({ id: r.id, identity: r.identity, service: r.service, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /** Revokes a key by id; false when there is no such key (or it was already revoked). */
  async revokeKey(id: string, now = Date.now()): Promise<boolean> {
    const [result] = await this.#store.execute([{ sql: 'UPDATE ingest_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', params: [now, id] }]);
    this.#presence = null;
    return (result?.changes ?? 0) > 0;
  }

  async createUser(name: string, role: UserRole, now = Date.now()): Promise<{ user: UserInfo; token: string }> {
    if (!ROLES.includes(role)) throw new RangeError(`role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    if (name.trim() === '' || name.length > 100) throw new RangeError('name must be 1-100 characters');
    const { id, token, hash } = issueToken('user');
    await this.#store.execute([
      { sql: 'INSERT INTO users (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)', params: [id, name, role, hash, now] },
    ]);
    this.#presence = null;
    return { user: { id, name, role, createdAt: now, revokedAt: null }, token };
  }

  listUsers(): UserInfo[] {
    return this.#store
      .query<UserRow>('SELECT id, name, role, created_at, revoked_at FROM users ORDER BY created_at, id')
      .map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async revokeUser(id: string, now = Date.now()): Promise<boolean> {
    const [result] = await this.#store.execute([{ sql: 'UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', params: [now, id] }]);
    this.#presence = null;
    return (result?.changes ?? 0) > 0;
  }

  /** Whether any unrevoked ingest key / user exists (decides whether loopback runs open). */
  presence(now = Date.now()): { keys: boolean; users: boolean } {
    if (this.#presence && now - this.#presence.at < PRESENCE_TTL_MS) return this.#presence;
    const [row] = this.#store.query<{ keys: number; users: number }>(
      'SELECT EXISTS (SELECT 1 FROM ingest_keys WHERE revoked_at IS NULL) AS keys, EXISTS (SELECT 1 FROM users WHERE revoked_at IS NULL) AS users',
    );
    this.#presence = { keys: row?.keys === 1, users: row?.users === 1, at: now };
    return this.#presence;
  }

  /** Who holds `token`; a wrong, unknown or revoked token is refused with the reason. */
  authenticate(token: string): Authentication {
    const parsed = parseToken(token);
    if (!parsed) return { ok: false, reason: 'the token is not a Runlens token (expected rlk_… or rlu_…)' };
    if (parsed.kind === 'ingest') {
      const [row] = this.#store.query<KeyRow>('SELECT id, identity, service, hash, revoked_at FROM ingest_keys WHERE id = ?', [parsed.id]);
      // An unknown id is compared with a dummy hash, so timing says nothing about which ids exist.
      if (!tokenMatches(token, row?.hash ?? NO_HASH) || !row) return { ok: false, reason: 'unknown or wrong ingest key' };
      if (row.revoked_at !== null) return { ok: false, reason: `ingest key ${row.id} was revoked` };
      return { ok: true, principal: { kind: 'ingest', identity: row.identity, service: row.service } };
    }
    const [row] = this.#store.query<UserRow>('SELECT id, name, role, hash, revoked_at FROM users WHERE id = ?', [parsed.id]);
    if (!tokenMatches(token, row?.hash ?? NO_HASH) || !row) return { ok: false, reason: 'unknown or wrong user token' };
    if (row.revoked_at !== null) return { ok: false, reason: `user token ${row.id} was revoked` };
    return { ok: true, principal: { kind: 'user', name: row.name, role: row.role } };
  }
}
