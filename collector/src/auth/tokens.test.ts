import { describe, expect, it } from 'vitest';
import { hashToken, issueToken, parseToken, tokenMatches } from './tokens.ts';
import { RateLimiter } from './rate-limit.ts';

describe('tokens', () => {
  it('are issued with a public id and 256 random bits, and only their hash is kept', () => {
    const a = issueToken('ingest');
    const b = issueToken('user');
    expect(a.token).toMatch(/^rlk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(b.token).toMatch(/^rlu_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(parseToken(a.token)).toEqual({ kind: 'ingest', id: a.id });
    expect(parseToken(b.token)).toEqual({ kind: 'user', id: b.id });
    expect(a.hash.equals(hashToken(a.token))).toBe(true);
    expect(a.hash.toString('hex')).not.toContain(a.token.slice(a.token.indexOf('_', 4) + 1));
  });

  it('match only their own hash', () => {
    const { token, hash } = issueToken('user');
    expect(tokenMatches(token, hash)).toBe(true);
    expect(tokenMatches(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), hash)).toBe(false);
    expect(tokenMatches(token, new Uint8Array(32))).toBe(false);
    // A stored hash of another length never throws (timingSafeEqual would) and never matches.
    expect(tokenMatches(token, new Uint8Array(16))).toBe(false);
  });

  it('that are malformed are not parsed', () => {
    for (const bad of ['', 'rlk_', 'rlx_0123456789ab_' + 'a'.repeat(43), 'rlk_0123456789AB_' + 'a'.repeat(43), 'rlk_0123456789ab_' + 'a'.repeat(42), `Bearer rlk_0123456789ab_${'a'.repeat(43)}`]) {
      expect(parseToken(bad), bad).toBeNull();
    }
  });
});

describe('the rate limiter', () => {
  it('lets a burst through, then one request per refill, per key', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    const t = 1_000_000;
    expect([limiter.take('a', t), limiter.take('a', t), limiter.take('a', t)]).toEqual([0, 0, 0]);
    expect(limiter.take('a', t)).toBe(1);
    expect(limiter.take('b', t)).toBe(0);
    expect(limiter.take('a', t + 500)).toBe(0);
    expect(limiter.take('a', t + 500)).toBeGreaterThanOrEqual(1);
    expect(limiter.take('a', t + 60_000)).toBe(0);
  });

  it('says how many whole seconds to wait when the rate is slow', () => {
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 });
    expect(limiter.take('k', 0)).toBe(0);
    expect(limiter.take('k', 0)).toBe(10);
  });
});
