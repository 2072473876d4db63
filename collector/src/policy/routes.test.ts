// The policy, approvals and drafts routes with each kind of caller, driven through app.request()
// on a real SQLite store. The principal is set the way the auth middleware sets it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { decide, parsePolicy, type Policy } from '@runlens/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalsRoutes } from '../api/approvals.ts';
import { draftsRoutes } from '../api/drafts.ts';
import { handleError } from '../api/errors.ts';
import { policyRoutes } from '../api/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { PolicyStore } from './store.ts';

let store: Store;
let policies: PolicyStore;
let policy: Policy;

const AGENT: Principal = { kind: 'ingest', identity: 'support-agent', service: 'support-agent' };
const OTHER_AGENT: Principal = { kind: 'ingest', identity: 'billing-agent', service: 'billing-agent' };
const ALICE: Principal = { kind: 'user', name: 'alice', role: 'viewer' };
const BOB: Principal = { kind: 'user', name: 'bob', role: 'viewer' };

function app(principal: Principal): Hono {
  const routes = new Hono();
  routes.use('*', async (c, next) => {
    c.set('principal' as never, principal as never);
    await next();
  });
  routes.route('/api/policy', policyRoutes(policies));
  routes.route('/api/approvals', approvalsRoutes(policies));
  routes.route('/api/drafts', draftsRoutes(policies));
  routes.onError(handleError);
  return routes;
}

const post = (principal: Principal, path: string, body: unknown) =>
  app(principal).request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'runlens-policy-routes-'));
  store = await openSqliteStore({ path: join(dir, 'runlens.db'), retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 1000 });
  policies = new PolicyStore(store);
  const text = readFileSync(new URL('../../../schema/src/policy/fixtures/example.policy.yaml', import.meta.url), 'utf8');
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error('fixture policy is invalid');
  policy = parsed.policy;
  await policies.apply(policy, text, 'example.policy.yaml', 'test');
});

afterAll(async () => {
  await store?.close();
});

function refundFiling(requirementOverride?: object) {
  const decision = decide(policy, { service: 'support-agent', tool: 'refund', args: { amount: 500 }, initiatingUser: 'dave' });
  return { tool: 'refund', arguments: { amount: 500 }, traceId: 'a'.repeat(32), initiatingUser: 'dave', rule: decision.rule, reason: decision.reason, requirement: { ...decision.approval, ...requirementOverride } };
}

describe('policy API', () => {
  it('serves an ingest key the policy of its own identity only', async () => {
    const own = await app(AGENT).request('/api/policy');
    expect(own.status).toBe(200);
    const body = (await own.json()) as { policy: Policy; identities: Record<string, unknown>; versions: unknown[] };
    expect(body.policy.version).toBe(policy.version);
    expect(Object.keys(body.identities)).toEqual(['support-agent']);
    expect(body.versions).toEqual([]);
    expect((await app(OTHER_AGENT).request('/api/policy?service=support-agent')).status).toBe(403);
    const forPeople = (await (await app(ALICE).request('/api/policy')).json()) as { versions: Array<{ appliedBy: string }> };
    expect(forPeople.versions[0]!.appliedBy).toBe('test');
  });

  it('takes the approvers from the collector policy, not from what the agent filed', async () => {
    const filed = await post(AGENT, '/api/approvals', refundFiling({ approvers: ['anyone'], members: ['dave'], membersByRole: { anyone: ['dave'] } }));
    expect(filed.status).toBe(201);
    const { approval } = (await filed.json()) as { approval: { id: string; service: string; requirement: { members: string[] }; filedBy: string } };
    expect(approval.service).toBe('support-agent');
    expect(approval.requirement.members).toEqual(['alice']);
    expect(approval.filedBy).toBe('ingest:support-agent');
    // Another agent can neither read nor decide it.
    expect((await app(OTHER_AGENT).request(`/api/approvals/${approval.id}`)).status).toBe(403);
    expect((await post(AGENT, `/api/approvals/${approval.id}`, { decision: 'approve' })).status).toBe(403);
    expect((await app(AGENT).request('/api/approvals')).status).toBe(403);
  });

  it('counts a signed-in member of the role by their own name and ignores a name in the body', async () => {
    const { approval } = (await (await post(AGENT, '/api/approvals', refundFiling())).json()) as { approval: { id: string } };
    const byBob = await post(BOB, `/api/approvals/${approval.id}`, { decision: 'approve', approver: 'alice' });
    expect(byBob.status).toBe(403);
    expect(((await byBob.json()) as { error: string }).error).toContain('bob is not a member of finance');
    expect((await post(ALICE, `/api/approvals/${approval.id}`, { decision: 'approve' })).status).toBe(409);

    const { approval: second } = (await (await post(AGENT, '/api/approvals', refundFiling())).json()) as { approval: { id: string } };
    const byAlice = await post(ALICE, `/api/approvals/${second.id}`, { decision: 'approve', comment: 'fine' });
    expect(byAlice.status).toBe(200);
    const polled = (await (await app(AGENT).request(`/api/approvals/${second.id}`)).json()) as { approval: { status: string; votes: Array<{ approver: string; counted: boolean; comment: string }> } };
    expect(polled.approval.status).toBe('approved');
    expect(polled.approval.votes).toEqual([expect.objectContaining({ approver: 'alice', counted: true, comment: 'fine' })]);
    const pending = (await (await app(ALICE).request('/api/approvals?status=pending')).json()) as { approvals: Array<{ id: string }> };
    expect(pending.approvals.map((a) => a.id)).not.toContain(second.id);
  });

  it('closes a request as expired once the agent stops waiting, and refuses a late answer', async () => {
    const { approval } = (await (await post(AGENT, '/api/approvals', { ...refundFiling(), waitMs: 20 })).json()) as { approval: { id: string } };
    await new Promise((resolve) => setTimeout(resolve, 40));
    const late = await post(ALICE, `/api/approvals/${approval.id}`, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: string }).error).toContain('the agent stopped waiting');
  });

  it('needs the approver named in the body in local open mode', async () => {
    const { approval } = (await (await post({ kind: 'local' }, '/api/approvals', { ...refundFiling(), service: 'support-agent' })).json()) as { approval: { id: string } };
    expect((await post({ kind: 'local' }, `/api/approvals/${approval.id}`, { decision: 'approve' })).status).toBe(400);
    expect((await post({ kind: 'local' }, `/api/approvals/${approval.id}`, { decision: 'approve', approver: 'alice' })).status).toBe(200);
  });

  it('applies a policy through the API for an admin only, refusing one with errors', async () => {
    const ADMIN: Principal = { kind: 'user', name: 'root', role: 'admin' };
    const source = readFileSync(new URL('../../../schema/src/policy/fixtures/example.policy.yaml', import.meta.url), 'utf8').replace('version: 3', 'version: 4');
    const withAuth = (principal: Principal) => {
      const routes = new Hono();
      routes.use('*', async (c, next) => {
        c.set('principal' as never, principal as never);
        await next();
      });
      routes.route('/api/policy', policyRoutes(policies));
      routes.onError(handleError);
      return routes;
    };
    const send = (principal: Principal, text: string) =>
      withAuth(principal).request('/api/policy', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: text, fileName: 'p.yaml' }) });
    expect((await send(ALICE, source)).status).toBe(403);
    const bad = await send(ADMIN, source.replace('autonomy: write', 'autonomy: yolo'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/p\.yaml:\d+: identities\.support-agent\.autonomy/);
    const good = await send(ADMIN, source);
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ version: '4', appliedBy: 'root' });
    expect(policies.current()!.policy.version).toBe('4');
    const logged = store.query<{ principal: string; query: string }>("SELECT principal, query FROM access_log WHERE action = 'policy.apply' ORDER BY id DESC LIMIT 1");
    expect(logged[0]).toEqual({ principal: 'root', query: 'policy version 4 from p.yaml' });
    await policies.apply(policy, 'restored', null, 'test');
  });

  it('files drafts under the ingest key’s own service and lists them for people', async () => {
    const filed = await post(AGENT, '/api/drafts', { id: 'd-1', service: 'billing-agent', tool: 'send_email', arguments: '{"to":"x@shop.example"}' });
    expect(filed.status).toBe(201);
    expect((await app(AGENT).request('/api/drafts')).status).toBe(403);
    const listed = (await (await app(ALICE).request('/api/drafts')).json()) as { drafts: Array<{ id: string; arguments: unknown }> };
    expect(listed.drafts).toEqual([expect.objectContaining({ id: 'd-1', service: 'support-agent', arguments: { to: 'x@shop.example' } })]);
  });
});
