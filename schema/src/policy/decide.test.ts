import { describe, expect, it } from 'vitest';
import { decide, readHttpCall } from './decide.ts';
import { loadPolicyObject } from './parse.ts';
import { examplePolicy, examplePolicyWithAutonomy, validPolicy } from './fixtures/example-policy.ts';
import type { Policy } from './types.ts';

const agent = (policy: Policy, tool: string, args: unknown = {}) => decide(policy, { service: 'support-agent', tool, args, initiatingUser: 'bob' });

describe('decide with the example policy of issue 10', () => {
  const policy = examplePolicy();

  it('allows lookup_order', () => {
    expect(agent(policy, 'lookup_order', { id: 7 })).toEqual({
      decision: 'allow',
      rule: 'identities.support-agent.allow[0]',
      reason: 'identities.support-agent.allow[0] allows lookup_order',
      policyVersion: '3',
    });
  });

  it('allows a refund of 50 without approval', () => {
    const decision = agent(policy, 'refund', { amount: 50 });
    expect(decision.decision).toBe('allow');
    expect(decision.rule).toBe('identities.support-agent.allow[1]');
  });

  it('requires finance approval for a refund of 150, from alice, not the initiating user, within 24h', () => {
    const decision = agent(policy, 'refund', { amount: 150 });
    expect(decision).toEqual({
      decision: 'approval_required',
      rule: 'identities.support-agent.approval[0]',
      reason: 'identities.support-agent.approval[0] requires approval of refund by finance (alice) because amount > 100 (amount = 150): 1 approval, not by the initiating user, within 24h',
      approval: {
        approvers: ['finance'],
        members: ['alice'],
        membersByRole: { finance: ['alice'] },
        minApprovals: 1,
        separationOfDuties: true,
        expiresAfterMs: 24 * 3_600_000,
      },
      policyVersion: '3',
    });
  });

  it('reads an amount given as a string, so the type of an argument cannot skip approval', () => {
    expect(agent(policy, 'refund', { amount: '150' }).decision).toBe('approval_required');
  });

  it('denies delete_user by the deny rule, naming the rule and its glob', () => {
    expect(agent(policy, 'delete_user')).toMatchObject({
      decision: 'deny',
      rule: 'identities.support-agent.deny[0]',
      reason: 'identities.support-agent.deny[0] denies delete_user (tool: "delete_*")',
    });
  });

  it('allows send_email', () => {
    expect(agent(policy, 'send_email', { to: 'c@example.com' }).decision).toBe('allow');
  });

  it('allows http_get to GET /orders/7 on api.shop.example', () => {
    const decision = agent(policy, 'http_get', { url: 'https://api.shop.example/orders/7' });
    expect(decision.decision).toBe('allow');
    expect(decision.rule).toBe('identities.support-agent.allow[3]');
    expect(agent(policy, 'http_get', { url: 'https://API.shop.example:8443/orders/7?x=1', method: 'get' }).decision).toBe('allow');
  });

  it('denies http_get with another method, host or path, saying what the endpoint allows', () => {
    const post = agent(policy, 'http_get', { url: 'https://api.shop.example/orders/7', method: 'POST' });
    expect(post).toMatchObject({ decision: 'deny', rule: 'default' });
    expect(post.reason).toBe(
      'http_get is not allowed for support-agent: identities.support-agent.allow[3] names http_get but it covers only methods GET, host api.shop.example, paths /orders/*; this call is POST api.shop.example/orders/7 (default: deny)',
    );
    expect(agent(policy, 'http_get', { url: 'https://evil.example/orders/7' }).decision).toBe('deny');
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example.evil.example/orders/7' }).decision).toBe('deny');
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example/customers/7' }).decision).toBe('deny');
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example/orders/7/refund' }).decision).toBe('deny');
  });

  it('judges the path after resolving dot segments, so /orders/../admin is /admin', () => {
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example/orders/../admin' }).decision).toBe('deny');
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example/orders/%2e%2e/admin' }).decision).toBe('deny');
  });

  it('denies an http tool whose url is missing, relative or not http', () => {
    for (const args of [{}, { url: '/orders/7' }, { url: 'file:///etc/passwd' }, { url: 42 }]) {
      const decision = agent(policy, 'http_get', args);
      expect(decision.decision).toBe('deny');
      expect(decision.rule).toBe('tools.http_get.http');
    }
  });

  it('denies a tool no rule names by the default', () => {
    expect(agent(policy, 'format_disk')).toEqual({
      decision: 'deny',
      rule: 'default',
      reason: 'format_disk is not allowed for support-agent: no entry of identities.support-agent.allow names format_disk (default: deny)',
      policyVersion: '3',
    });
  });

  it('denies every tool of an identity the policy does not know', () => {
    const decision = decide(policy, { service: 'billing-agent', tool: 'lookup_order', args: {} });
    expect(decision.decision).toBe('deny');
    expect(decision.rule).toBe('default');
    expect(decision.reason).toMatch(/service "billing-agent" has no entry in identities/);
  });

  it('does not treat inherited object keys as identities or tools', () => {
    expect(decide(policy, { service: 'constructor', tool: 'lookup_order', args: {} }).rule).toBe('default');
    expect(decide(policy, { service: '__proto__', tool: 'lookup_order', args: {} }).rule).toBe('default');
  });
});

describe('autonomy caps what allow grants', () => {
  it('draft-only turns a refund into a draft, with or without approval, and still runs reads', () => {
    const policy = examplePolicyWithAutonomy('draft-only');
    for (const amount of [50, 150]) {
      const decision = agent(policy, 'refund', { amount });
      expect(decision.decision).toBe('draft');
      expect(decision.rule).toBe('identities.support-agent.autonomy');
      expect(decision.reason).toMatch(/autonomy draft-only and refund is not marked readOnly/);
      expect(decision.draftTool).toBeUndefined();
    }
    expect(agent(policy, 'lookup_order').decision).toBe('allow');
    expect(agent(policy, 'send_email').decision).toBe('draft');
    expect(agent(policy, 'delete_user').decision).toBe('deny');
  });

  it('draft-only names the draft twin when the catalogue has one', () => {
    const policy = validPolicy(`
version: 1
tools:
  refund: { hints: { readOnly: false }, draft: refund_draft }
  refund_draft: { hints: { readOnly: true } }
identities:
  bot: { autonomy: draft-only, allow: [refund] }
`);
    expect(decide(policy, { service: 'bot', tool: 'refund', args: {} })).toMatchObject({ decision: 'draft', draftTool: 'refund_draft' });
  });

  it('read-only denies the refund, naming autonomy, and allows lookup_order', () => {
    const policy = examplePolicyWithAutonomy('read-only');
    const refund = agent(policy, 'refund', { amount: 50 });
    expect(refund).toMatchObject({ decision: 'deny', rule: 'identities.support-agent.autonomy' });
    expect(refund.reason).toBe(
      'support-agent has autonomy read-only and refund is not marked readOnly in the tools catalogue, so it may not run (identities.support-agent.allow[1] would otherwise grant it)',
    );
    expect(agent(policy, 'refund', { amount: 150 }).decision).toBe('deny');
    expect(agent(policy, 'lookup_order').decision).toBe('allow');
    expect(agent(policy, 'http_get', { url: 'https://api.shop.example/orders/7' }).decision).toBe('allow');
  });

  it('full is write: allowed writes run and approval rules still apply', () => {
    const policy = examplePolicyWithAutonomy('full');
    expect(agent(policy, 'refund', { amount: 50 }).decision).toBe('allow');
    expect(agent(policy, 'refund', { amount: 150 }).decision).toBe('approval_required');
  });

  it('off refuses every call, reads included', () => {
    const policy = examplePolicyWithAutonomy('off');
    const decision = agent(policy, 'lookup_order');
    expect(decision).toMatchObject({ decision: 'deny', rule: 'identities.support-agent.autonomy' });
    expect(decision.reason).toMatch(/autonomy off/);
  });

  it('a tool missing from the catalogue is treated as a destructive write', () => {
    const policy = validPolicy('version: 1\nidentities:\n  bot: { autonomy: read-only, allow: [mystery] }\n');
    const decision = decide(policy, { service: 'bot', tool: 'mystery', args: {} });
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(/not in the catalogue: worst-case hints/);
  });
});

describe('decision order', () => {
  const policy = validPolicy(`
version: 7
approvers:
  ops: [carol, group:oncall]
  security: [dave]
tools:
  deploy: { hints: { readOnly: false, destructive: true } }
  restart: { hints: { readOnly: false, destructive: false, idempotent: true } }
identities:
  ops-bot:
    autonomy: write
    deny:
      - tool: deploy
        when: { path: env, eq: prod }
    approval:
      - match: { hints: { destructive: true } }
        approvers: [ops, security]
        minApprovals: 2
    allow:
      - tool: "*"
        when: { path: env, in: [dev, staging] }
`);
  const call = (tool: string, args: unknown) => decide(policy, { service: 'ops-bot', tool, args });

  it('deny wins over approval and allow', () => {
    expect(call('deploy', { env: 'prod' })).toMatchObject({ decision: 'deny', rule: 'identities.ops-bot.deny[0]' });
    expect(call('deploy', { env: 'prod' }).reason).toBe('identities.ops-bot.deny[0] denies deploy because env == "prod" (env = "prod")');
  });

  it('approval comes before allow, and resolves members of every role', () => {
    const decision = call('deploy', { env: 'dev' });
    expect(decision).toMatchObject({ decision: 'approval_required', rule: 'identities.ops-bot.approval[0]', policyVersion: '7' });
    expect(decision.approval).toEqual({
      approvers: ['ops', 'security'],
      members: ['carol', 'group:oncall', 'dave'],
      membersByRole: { ops: ['carol', 'group:oncall'], security: ['dave'] },
      minApprovals: 2,
      separationOfDuties: false,
      expiresAfterMs: null,
    });
  });

  it('allow with a condition grants only matching calls, and the default names the condition that failed', () => {
    expect(call('restart', { env: 'staging' })).toMatchObject({ decision: 'allow', rule: 'identities.ops-bot.allow[0]' });
    const prod = call('restart', { env: 'prod' });
    expect(prod).toMatchObject({ decision: 'deny', rule: 'default' });
    expect(prod.reason).toBe('restart is not allowed for ops-bot: identities.ops-bot.allow[0] names restart but it applies only when env in ["dev","staging"] (env = "prod") (default: deny)');
  });
});

describe('readHttpCall', () => {
  it('reads method, host and path from the url and method arguments', () => {
    expect(readHttpCall({ url: 'http://localhost:8080/a/b?c=d', method: 'delete' })).toEqual({ method: 'DELETE', hostname: 'localhost', host: 'localhost:8080', path: '/a/b' });
  });

  it('an endpoint host with a port pins the port', () => {
    const result = loadPolicyObject({
      version: 1,
      tools: { fetch: { hints: { readOnly: true }, http: true } },
      identities: { bot: { autonomy: 'write', allow: [{ tool: 'fetch', endpoint: { host: 'localhost:8080' } }] } },
    });
    if (!result.ok) throw new Error(result.errors[0]?.message);
    const call = (url: string) => decide(result.policy, { service: 'bot', tool: 'fetch', args: { url } }).decision;
    expect(call('http://localhost:8080/x')).toBe('allow');
    expect(call('http://localhost:9090/x')).toBe('deny');
  });
});

describe('approval rules and the allow list', () => {
  it('the first match wins: an approval rule makes a tool callable with approval even if allow does not list it', () => {
    const policy = validPolicy(`
version: 1
approvers: { finance: [alice] }
tools:
  refund: { hints: { readOnly: false } }
identities:
  bot:
    autonomy: write
    approval: [{ match: { tool: refund }, approvers: [finance] }]
`);
    expect(decide(policy, { service: 'bot', tool: 'refund', args: {} }).decision).toBe('approval_required');
  });

  it('a loaded policy is frozen, and loading does not freeze the object it was given', () => {
    const source = { version: 1, approvers: { finance: ['alice'] }, identities: { bot: { autonomy: 'write', allow: [{ tool: 'x', when: { path: 'a', in: [1, 2] } }] } } };
    const result = loadPolicyObject(source);
    if (!result.ok) throw new Error(result.errors[0]?.message);
    expect(Object.isFrozen(result.policy.identities.bot?.allow[0])).toBe(true);
    expect(() => (result.policy.approvers.finance as string[]).push('mallory')).toThrow(TypeError);
    expect(Object.isFrozen(source.approvers.finance)).toBe(false);
    expect(Object.isFrozen(source.identities.bot.allow[0]?.when.in)).toBe(false);
  });
});
