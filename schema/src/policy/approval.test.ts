import { describe, expect, it } from 'vitest';
import { collectApprovals, judgeApproval } from './approval.ts';
import { decide } from './decide.ts';
import { examplePolicy } from './fixtures/example-policy.ts';
import type { ApprovalRequirement } from './types.ts';

const HOUR = 3_600_000;
const requestedAt = Date.UTC(2026, 0, 1, 9);

function refundApproval(): ApprovalRequirement {
  const decision = decide(examplePolicy(), { service: 'support-agent', tool: 'refund', args: { amount: 150 }, initiatingUser: 'bob' });
  if (!decision.approval) throw new Error('expected an approval requirement');
  return decision.approval;
}

const twoRoles: ApprovalRequirement = {
  approvers: ['finance', 'security'],
  members: ['alice', 'group:treasury', 'dave'],
  membersByRole: { finance: ['alice', 'group:treasury'], security: ['dave'] },
  minApprovals: 2,
  separationOfDuties: true,
  expiresAfterMs: HOUR,
};

describe('judgeApproval', () => {
  const approval = refundApproval();

  it('counts an approval from a member of the role', () => {
    expect(judgeApproval(approval, { approver: 'alice', decision: 'approve', at: requestedAt + HOUR, requestedAt, initiatingUser: 'bob' })).toEqual({
      accepted: true,
      approves: true,
      role: 'finance',
      reason: 'alice (finance) approved the request',
    });
  });

  it('counts a rejection from a member, which does not approve', () => {
    const judgement = judgeApproval(approval, { approver: 'alice', decision: 'reject', at: requestedAt, requestedAt, initiatingUser: 'bob' });
    expect(judgement).toMatchObject({ accepted: true, approves: false, role: 'finance' });
  });

  it('does not count a non-member', () => {
    expect(judgeApproval(approval, { approver: 'mallory', decision: 'approve', at: requestedAt, requestedAt, initiatingUser: 'bob' })).toEqual({
      accepted: false,
      approves: false,
      reason: 'mallory is not a member of finance (members: alice), so the approval does not count',
    });
  });

  it('does not count the initiating user when separation of duties is set', () => {
    const judgement = judgeApproval(approval, { approver: 'alice', decision: 'approve', at: requestedAt, requestedAt, initiatingUser: 'alice' });
    expect(judgement.accepted).toBe(false);
    expect(judgement.reason).toBe("alice started the run, and separation of duties forbids approving one's own request");
  });

  it('counts the initiating user when separation of duties is not set', () => {
    const judgement = judgeApproval({ ...approval, separationOfDuties: false }, { approver: 'alice', decision: 'approve', at: requestedAt, requestedAt, initiatingUser: 'alice' });
    expect(judgement.accepted).toBe(true);
  });

  it('does not count a decision after expiry, and counts one just before it', () => {
    const late = judgeApproval(approval, { approver: 'alice', decision: 'approve', at: requestedAt + 25 * HOUR, requestedAt, initiatingUser: 'bob' });
    expect(late).toEqual({ accepted: false, approves: false, reason: "alice's approval came 1d 1h after the request, which expired after 1d" });
    expect(judgeApproval(approval, { approver: 'alice', decision: 'approve', at: requestedAt + 24 * HOUR, requestedAt, initiatingUser: 'bob' }).accepted).toBe(true);
  });

  it('resolves group members through the groups the caller gives', () => {
    const vote = { approver: 'erin', decision: 'approve' as const, at: requestedAt, requestedAt, initiatingUser: 'bob' };
    expect(judgeApproval(twoRoles, vote).accepted).toBe(false);
    expect(judgeApproval(twoRoles, { ...vote, groups: { treasury: ['erin'] } })).toMatchObject({ accepted: true, role: 'finance' });
    expect(judgeApproval(twoRoles, { ...vote, groups: { other: ['erin'] } }).accepted).toBe(false);
  });
});

describe('collectApprovals', () => {
  const context = { requestedAt, initiatingUser: 'bob', groups: { treasury: ['erin', 'bob'] } };

  it('approves once enough distinct members approve', () => {
    const tally = collectApprovals(twoRoles, [
      { approver: 'alice', decision: 'approve', at: requestedAt + 1000 },
      { approver: 'alice', decision: 'approve', at: requestedAt + 2000 },
      { approver: 'dave', decision: 'approve', at: requestedAt + 3000 },
    ], context);
    expect(tally.status).toBe('approved');
    expect(tally.approvedBy).toEqual([
      { approver: 'alice', role: 'finance', at: requestedAt + 1000 },
      { approver: 'dave', role: 'security', at: requestedAt + 3000 },
    ]);
    expect(tally.ignored.map((v) => v.reason)).toEqual(['alice already approved; approvals must come from distinct people']);
    expect(tally.reason).toBe('approved by alice (finance), dave (security)');
  });

  it('stays pending when the same person approves twice, and ignores the initiating user', () => {
    const tally = collectApprovals(twoRoles, [
      { approver: 'alice', decision: 'approve', at: requestedAt + 1000 },
      { approver: 'bob', decision: 'approve', at: requestedAt + 2000 },
      { approver: 'alice', decision: 'approve', at: requestedAt + 3000 },
    ], context);
    expect(tally.status).toBe('pending');
    expect(tally.reason).toMatch(/^waiting: 1 of 2 approvals from finance or security; not counted: bob started the run/);
  });

  it('a single eligible rejection refuses the request, an ineligible one does not', () => {
    const rejected = collectApprovals(twoRoles, [
      { approver: 'mallory', decision: 'reject', at: requestedAt + 1000 },
      { approver: 'dave', decision: 'reject', at: requestedAt + 2000 },
      { approver: 'alice', decision: 'approve', at: requestedAt + 3000 },
      { approver: 'erin', decision: 'approve', at: requestedAt + 4000 },
    ], context);
    expect(rejected.status).toBe('rejected');
    expect(rejected.rejectedBy).toEqual({ approver: 'dave', role: 'security', at: requestedAt + 2000 });
  });

  it('judges votes in time order, whatever order they are given in', () => {
    const tally = collectApprovals(twoRoles, [
      { approver: 'dave', decision: 'reject', at: requestedAt + 5000 },
      { approver: 'erin', decision: 'approve', at: requestedAt + 2000 },
      { approver: 'alice', decision: 'approve', at: requestedAt + 1000 },
    ], context);
    expect(tally.status).toBe('approved');
  });

  it('expires a request still pending after its expiry', () => {
    const votes = [{ approver: 'alice', decision: 'approve' as const, at: requestedAt + 1000 }];
    expect(collectApprovals(twoRoles, votes, { ...context, now: requestedAt + 30 * 60_000 }).status).toBe('pending');
    const expired = collectApprovals(twoRoles, votes, { ...context, now: requestedAt + 2 * HOUR });
    expect(expired.status).toBe('expired');
    expect(expired.reason).toBe('the request expired after 1h with 1 of 2 approvals from finance or security');
  });
});
