// Tokens: `rlk_<id>_<secret>` (ingest keys) and `rlu_<id>_<secret>` (user tokens). The id is
// public (listed, revoked by); the secret is 256 random bits. Only the SHA-256 of the whole token
// is stored, looked up by id and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'ingest' | 'user';

const PREFIXES: Record<TokenKind, string> = { ingest: 'rlk', user: 'rlu' };
const TOKEN = /^(rlk|rlu)_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  id: string;
  /** Shown once, never stored. */
  token: string;
  hash: Buffer;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function issueToken(kind: TokenKind): IssuedToken {
  const id = randomBytes(6).toString('hex');
  const token = `${PREFIXES[kind]}_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

/** The kind and public id of a well-formed token; null for anything else. */
export function parseToken(token: string): { kind: TokenKind; id: string } | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return { kind: match[1] === 'rlk' ? 'ingest' : 'user', id: match[2]! };
}

/** Constant-time comparison of a presented token with a stored hash. */
export function tokenMatches(token: string, hash: Uint8Array): boolean {
  const presented = hashToken(token);
  return presented.length === hash.length && timingSafeEqual(presented, hash);
}
