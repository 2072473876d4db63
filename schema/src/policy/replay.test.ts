import { describe, expect, it } from 'vitest';
import { replayToolCall } from './replay.ts';
import { examplePolicy, examplePolicyWithAutonomy } from './fixtures/example-policy.ts';

const HOUR = 3_600_000;
const startedAt = Date.UTC(2026, 0, 1, 9);
const base = { service: 'support-agent', initiatingUser: 'bob', startedAt };

describe('replayToolCall', () => {
  const policy = examplePolicy();

  it('finds nothing wrong with an allowed call', () => {
    const result = replayToolCall(policy, { ...base, tool: 'lookup_order', args: { id: 7 } });
    expect(result.violation).toBeNull();
    expect(result.decision.decision).toBe('allow');
  });

  it('reports a call that ran although the policy denies it', () => {
    const result = replayToolCall(policy, { ...base, tool: 'delete_user', args: { id: 'u1' } });
    expect(result.violation).toEqual({
      kind: 'denied',
      rule: 'identities.support-agent.deny[0]',
      message: 'delete_user ran but policy 3 denies it: identities.support-agent.deny[0] denies delete_user (tool: "delete_*")',
    });
  });

  it('does not report a denied call the client recorded as not run', () => {
    expect(replayToolCall(policy, { ...base, tool: 'delete_user', args: {}, executed: false }).violation).toBeNull();
  });

  it('accepts a refund over the limit approved in time by a finance member', () => {
    const result = replayToolCall(policy, { ...base, tool: 'refund', args: { amount: 150 }, approvals: [{ approver: 'alice', decision: 'approve', at: startedAt + HOUR }] });
    expect(result.violation).toBeNull();
    expect(result.approvals?.status).toBe('approved');
  });

  it('reports a refund over the limit that ran without approval, or with approvals that do not count', () => {
    const none = replayToolCall(policy, { ...base, tool: 'refund', args: { amount: 150 } });
    expect(none.violation?.kind).toBe('missing_approval');
    expect(none.violation?.rule).toBe('identities.support-agent.approval[0]');
    expect(none.violation?.message).toMatch(/^refund ran without a valid approval: .*; waiting: 0 of 1 approval from finance$/);

    const selfApproved = replayToolCall(policy, { ...base, initiatingUser: 'alice', tool: 'refund', args: { amount: 150 }, approvals: [{ approver: 'alice', decision: 'approve', at: startedAt }] });
    expect(selfApproved.violation?.message).toMatch(/separation of duties/);

    const late = replayToolCall(policy, { ...base, tool: 'refund', args: { amount: 150 }, approvals: [{ approver: 'alice', decision: 'approve', at: startedAt + 30 * HOUR }] });
    expect(late.violation?.kind).toBe('missing_approval');

    const outsider = replayToolCall(policy, { ...base, tool: 'refund', args: { amount: 150 }, approvals: [{ approver: 'mallory', decision: 'approve', at: startedAt }] });
    expect(outsider.violation?.message).toMatch(/mallory is not a member of finance/);

    const rejected = replayToolCall(policy, { ...base, tool: 'refund', args: { amount: 150 }, approvals: [{ approver: 'alice', decision: 'reject', at: startedAt }] });
    expect(rejected.violation?.kind).toBe('missing_approval');
    expect(rejected.approvals?.status).toBe('rejected');
  });

  it('reports a write that ran where draft-only autonomy would have held it as a draft', () => {
    const result = replayToolCall(examplePolicyWithAutonomy('draft-only'), { ...base, tool: 'refund', args: { amount: 20 } });
    expect(result.violation?.kind).toBe('not_drafted');
    expect(result.violation?.rule).toBe('identities.support-agent.autonomy');
  });

  it('reports a call from a service identity the policy does not know', () => {
    const result = replayToolCall(policy, { ...base, service: 'rogue', tool: 'lookup_order', args: {} });
    expect(result.violation).toMatchObject({ kind: 'denied', rule: 'default' });
  });
});
