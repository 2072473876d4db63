// The kill switch's control side: levels set through the API and the CLI (against the collector
// or its database file), every change in the access log, admin-only writes once users exist, and
// an agent refusing new runs under `off`.
import { ActionsDisabledError, RunlensClient } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, getOk } from '../helpers/api.ts';
import { runCli, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';

interface AutonomyAnswer {
  service: string;
  level: string;
  reason: string | null;
  changedBy: string | null;
}

interface AccessLogAnswer {
  entries: { principal: string; action: string; query: string | null }[];
}

async function put(url: string, service: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/autonomy/${service}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Read through a function so the compiler does not narrow the level between polls. */
const levelOf = (client: RunlensClient): string | null => client.autonomy!.level;

describe('autonomy on an open local collector', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('is full until someone lowers it, through the CLI, and the change is in the access log', async () => {
    const before = await runCli(['autonomy', 'get', 'support-agent', '--url', collector.url]);
    expect(before.stdout.trim()).toBe('support-agent: full — every tool may run (default)');

    const set = await runCli(['autonomy', 'set', 'support-agent', 'read-only', '--reason', 'refund bug', '--url', collector.url]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^full -> support-agent: read-only — tools not marked read-only are refused, set by local at .*: refund bug/);

    expect(await getOk<AutonomyAnswer>(collector.url, '/api/autonomy/support-agent')).toMatchObject({ level: 'read-only', reason: 'refund bug', changedBy: 'local' });
    const log = await getOk<AccessLogAnswer>(collector.url, '/api/access-log');
    expect(log.entries).toContainEqual(expect.objectContaining({ principal: 'local', action: 'autonomy.set', query: 'support-agent: full -> read-only (refund bug)' }));
  });

  it('can be set by writing the database file while the collector runs', async () => {
    const set = await runCli(['autonomy', 'set', 'billing-agent', 'off', '--db', collector.dbPath]);
    expect(set.code).toBe(0);
    const state = await getOk<AutonomyAnswer>(collector.url, '/api/autonomy/billing-agent');
    expect(state.level).toBe('off');
    expect(state.changedBy).toMatch(/^cli:/);
    const log = await getOk<AccessLogAnswer>(collector.url, '/api/access-log');
    expect(log.entries).toContainEqual(expect.objectContaining({ action: 'autonomy.set', query: 'billing-agent: full -> off', principal: state.changedBy }));
    const list = await runCli(['autonomy', 'get', '--url', collector.url]);
    expect(list.stdout).toMatch(/billing-agent\s+off/);
    expect(list.stdout).toMatch(/support-agent\s+read-only/);
  });

  it('refuses a level it does not know', async () => {
    const cli = await runCli(['autonomy', 'set', 'support-agent', 'paused', '--url', collector.url]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('level: expected one of read-only, draft-only, write, full, off, got "paused"');
    const api = await put(collector.url, 'support-agent', { level: 'paused' });
    expect(api.status).toBe(400);
  });

  it('an agent switched off refuses new runs within its poll interval, and runs again when switched back', async () => {
    const client = new RunlensClient({ service: 'switchable-agent', endpoint: collector.url, autonomy: { pollMs: 200 }, flushOnExit: false });
    try {
      await expect(client.run('work', () => 'done')).resolves.toBe('done');
      await put(collector.url, 'switchable-agent', { level: 'off', reason: 'incident 42' });
      const switchedAt = Date.now();
      while (levelOf(client) !== 'off') await sleep(10);
      expect(Date.now() - switchedAt).toBeLessThanOrEqual(client.autonomy!.pollMs + client.autonomy!.requestTimeoutMs);
      const refused = client.run('work', () => 'done');
      await expect(refused).rejects.toBeInstanceOf(ActionsDisabledError);
      await expect(refused).rejects.toThrow('service switchable-agent is switched off (autonomy off)');
      await put(collector.url, 'switchable-agent', { level: 'full' });
      while (levelOf(client) !== 'full') await sleep(10);
      await expect(client.run('work', () => 'again')).resolves.toBe('again');
    } finally {
      await client.shutdown();
    }
  });
});

describe('autonomy once users exist', () => {
  let collector: RunningCollector;
  let admin: string;
  let viewer: string;
  beforeAll(async () => {
    const db = tempDbPath();
    admin = (await runCli(['users', 'create', 'alice', '--role', 'admin', '--db', db])).stdout.trim();
    viewer = (await runCli(['users', 'create', 'bob', '--role', 'viewer', '--db', db])).stdout.trim();
    collector = await startCollector({ db });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('takes changes from admins only and logs them under their name', async () => {
    expect((await put(collector.url, 'support-agent', { level: 'read-only' })).status).toBe(401);
    const refused = await put(collector.url, 'support-agent', { level: 'read-only' }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('this needs an admin token');
    const done = await put(collector.url, 'support-agent', { level: 'read-only', reason: 'bad deploy' }, admin);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ level: 'read-only', changedBy: 'alice', previousLevel: 'full' });

    // A viewer may read the level; the CLI passes the token it is given.
    const read = await fetch(`${collector.url}/api/autonomy/support-agent`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(((await read.json()) as AutonomyAnswer).level).toBe('read-only');
    const cli = await runCli(['autonomy', 'set', 'support-agent', 'full', '--url', collector.url, '--token', admin]);
    expect(cli.code).toBe(0);
    const noToken = await runCli(['autonomy', 'set', 'support-agent', 'off', '--url', collector.url]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('give a user token with --token or RUNLENS_TOKEN');

    const log = await fetch(`${collector.url}/api/access-log`, { headers: { authorization: `Bearer ${admin}` } });
    const entries = ((await log.json()) as AccessLogAnswer).entries.filter((e) => e.action === 'autonomy.set');
    expect(entries.map((e) => [e.principal, e.query])).toEqual([
      ['alice', 'support-agent: read-only -> full'],
      ['alice', 'support-agent: full -> read-only (bad deploy)'],
    ]);
    expect((await getJson(collector.url, '/api/autonomy')).status).toBe(401);
  });
});
