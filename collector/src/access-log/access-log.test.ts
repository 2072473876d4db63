import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../app.ts';
import { createSecurity } from '../auth/security.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { genAiTraceRequest, TRACE_ID } from '../ingest/test-fixtures.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { AccessLog } from './access-log.ts';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-access-'));
  store = await openSqliteStore({ path: join(dir, 'a.db'), retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 10_000 });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the access log', () => {
  it('is written in batches and listed newest first, page by page', async () => {
    const log = new AccessLog(store, { maxAgeMs: 86_400_000, flushMs: 60_000 });
    for (let i = 0; i < 5; i++) log.record({ principal: `u${i}`, action: 'trace', traceId: `t${i}`, query: null });
    // Nothing reaches the writer until a flush.
    expect(store.query<{ n: number }>('SELECT count(*) AS n FROM access_log WHERE principal LIKE ?', ['u%'])[0]!.n).toBe(0);
    const first = await log.list({ limit: 3 });
    expect(first.entries.map((e) => e.principal)).toEqual(['u4', 'u3', 'u2']);
    const second = await log.list({ limit: 3, before: Number(first.nextCursor) });
    expect(second.entries.map((e) => e.principal)).toEqual(['u1', 'u0']);
    expect(second.nextCursor).toBeNull();
    await log.close();
  });

  it('deletes entries older than its own retention', async () => {
    const log = new AccessLog(store, { maxAgeMs: 1000, flushMs: 60_000, pruneEveryMs: 0 });
    const now = Date.now();
    log.record({ principal: 'old', action: 'search', traceId: null, query: 'x', at: now - 5000 });
    await log.flush(now - 4000);
    log.record({ principal: 'new', action: 'search', traceId: null, query: 'y', at: now });
    await log.flush(now);
    const principals = (await log.list({ limit: 100 })).entries.map((e) => e.principal);
    expect(principals).toContain('new');
    expect(principals).not.toContain('old');
    await log.close();
  });
});

describe('a collector bound to loopback', () => {
  it('runs open as `local` with no keys or users, and records local reads', async () => {
    const security = createSecurity(store);
    const app = createApp({ store, config: { ...DEFAULT_CONFIG, viewerDir: null }, security });
    const posted = await app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(genAiTraceRequest()) });
    expect(posted.status).toBe(200);
    expect((await app.request(`/api/runs/${TRACE_ID}`)).status).toBe(200);
    const log = await app.request(`/api/access-log?traceId=${TRACE_ID}`);
    expect(log.status).toBe(200);
    expect(((await log.json()) as { entries: { principal: string }[] }).entries[0]).toMatchObject({ principal: 'local', action: 'trace', traceId: TRACE_ID });
    await security.close();
  });

  it('asks for a user token once a user exists, while ingest stays open until a key exists', async () => {
    const security = createSecurity(store);
    const app = createApp({ store, config: { ...DEFAULT_CONFIG, viewerDir: null }, security });
    const { token } = await security.credentials.createUser('olga', 'viewer');
    expect((await app.request('/api/runs')).status).toBe(401);
    expect((await app.request('/api/runs', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const post = () => app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect((await post()).status).toBe(200);
    const { key } = await security.credentials.createKey('agent', null);
    expect((await post()).status).toBe(401);
    await security.credentials.revokeKey(key.id);
    expect((await post()).status).toBe(200);
    await security.close();
  });
});
