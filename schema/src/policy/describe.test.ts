import { describe, expect, it } from 'vitest';
import { decide } from './decide.ts';
import { describeIdentity } from './describe.ts';
import { examplePolicy, examplePolicyWithAutonomy, validPolicy } from './fixtures/example-policy.ts';

const summary = (rows: ReturnType<typeof describeIdentity>) => rows.map((row) => [row.tool, row.decision, row.condition, row.rule]);

describe('describeIdentity', () => {
  it('lays out the example policy: what the agent may do, what needs approval and who approves', () => {
    const rows = describeIdentity(examplePolicy(), 'support-agent');
    expect(summary(rows)).toEqual([
      ['lookup_order', 'allow', null, 'identities.support-agent.allow[0]'],
      ['refund', 'approval', 'amount > 100', 'identities.support-agent.approval[0]'],
      ['refund', 'allow', 'otherwise', 'identities.support-agent.allow[1]'],
      ['send_email', 'allow', null, 'identities.support-agent.allow[2]'],
      ['http_get', 'allow', 'GET api.shop.example /orders/*', 'identities.support-agent.allow[3]'],
      ['http_get', 'deny', 'otherwise', 'default'],
      ['delete_*', 'deny', null, 'identities.support-agent.deny[0]'],
      ['*', 'deny', 'otherwise', 'default'],
    ]);
    expect(rows[1]).toMatchObject({
      approvers: ['finance'],
      members: ['alice'],
      minApprovals: 1,
      separationOfDuties: true,
      expiresAfter: '24h',
      hints: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
    });
  });

  it('shows what autonomy does to each grant, as decide enforces it', () => {
    const draftOnly = examplePolicyWithAutonomy('draft-only');
    const rows = describeIdentity(draftOnly, 'support-agent');
    expect(summary(rows).slice(0, 4)).toEqual([
      ['lookup_order', 'allow', null, 'identities.support-agent.allow[0]'],
      ['refund', 'draft', 'amount > 100', 'identities.support-agent.approval[0]'],
      ['refund', 'draft', 'otherwise', 'identities.support-agent.allow[1]'],
      ['send_email', 'draft', null, 'identities.support-agent.allow[2]'],
    ]);
    expect(rows[1]?.note).toBe('autonomy draft-only: held as a draft for review');
    expect(rows[1]?.approvers).toEqual([]);
    expect(decide(draftOnly, { service: 'support-agent', tool: 'refund', args: { amount: 150 } }).decision).toBe('draft');

    const readOnly = describeIdentity(examplePolicyWithAutonomy('read-only'), 'support-agent');
    expect(readOnly.filter((row) => row.tool === 'refund').map((row) => row.decision)).toEqual(['deny', 'deny']);
    expect(describeIdentity(examplePolicyWithAutonomy('off'), 'support-agent')).toEqual([
      expect.objectContaining({ tool: '*', decision: 'deny', rule: 'identities.support-agent.autonomy', note: 'autonomy off: every run is refused' }),
    ]);
  });

  it('describes an unknown identity as refused by the default', () => {
    expect(describeIdentity(examplePolicy(), 'nobody')).toEqual([expect.objectContaining({ tool: '*', decision: 'deny', rule: 'default' })]);
  });

  it('stops at the first unconditional rule and describes tools missing from the catalogue as decide treats them', () => {
    const policy = validPolicy(`
version: 2
approvers: { ops: [carol] }
tools:
  deploy: { hints: { readOnly: false } }
identities:
  bot:
    autonomy: write
    deny:
      - tool: deploy
        when: { path: env, eq: prod }
    approval:
      - match: { hints: { destructive: true } }
        when: { path: env, eq: staging }
        approvers: [ops]
    allow: [deploy, "github.*"]
`);
    expect(summary(describeIdentity(policy, 'bot'))).toEqual([
      ['deploy', 'deny', 'env == "prod"', 'identities.bot.deny[0]'],
      ['deploy', 'approval', 'env == "staging"', 'identities.bot.approval[0]'],
      ['deploy', 'allow', 'otherwise', 'identities.bot.allow[0]'],
      ['*', 'approval', 'env == "staging"', 'identities.bot.approval[0]'],
      ['github.*', 'allow', 'otherwise', 'identities.bot.allow[1]'],
      ['*', 'deny', 'otherwise', 'default'],
    ]);
    const call = (tool: string, env: string) => decide(policy, { service: 'bot', tool, args: { env } }).decision;
    expect([call('github.create_issue', 'staging'), call('github.create_issue', 'dev'), call('jira.create', 'dev')]).toEqual(['approval_required', 'allow', 'deny']);
  });

  it('an unconditional hints-only approval settles every tool missing from the catalogue', () => {
    const policy = validPolicy(`
version: 2
approvers: { ops: [carol] }
identities:
  bot:
    autonomy: write
    approval: [{ match: { hints: { destructive: true } }, approvers: [ops] }]
    allow: ["github.*"]
`);
    expect(summary(describeIdentity(policy, 'bot'))).toEqual([['*', 'approval', null, 'identities.bot.approval[0]']]);
    expect(decide(policy, { service: 'bot', tool: 'github.create_issue', args: {} }).decision).toBe('approval_required');
  });
});
