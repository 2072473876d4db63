// Judging approval decisions against an `approval_required` decision's requirement. A decision
// counts only from a member of an approver role, never from the run's initiating user when
// separation of duties is set, and never after the request expired.
import type { ApprovalRequirement } from './types.ts';

export type ApprovalVerdict = 'approve' | 'reject';

/** One person's answer to an approval request. Times are epoch milliseconds. */
export interface ApprovalVote {
  approver: string;
  decision: ApprovalVerdict;
  at: number;
}

export interface ApprovalContext {
  /** When the request was made (epoch ms); expiry counts from here. */
  requestedAt: number;
  /** The user who started the run; separation of duties keeps them from approving. */
  initiatingUser?: string | null;
  /** Group name → user names, to resolve `group:NAME` members (the caller knows its groups). */
  groups?: Record<string, string[]>;
}

export interface ApprovalJudgement {
  /** The vote counts: from an eligible approver, in time. */
  accepted: boolean;
  /** The vote counts and approves: the call may run once enough such votes are in. */
  approves: boolean;
  reason: string;
  /** The role through which the approver is eligible. */
  role?: string;
}

function isMember(member: string, approver: string, groups: Record<string, string[]> | undefined): boolean {
  if (!member.startsWith('group:')) return member === approver;
  const group = member.slice('group:'.length);
  return groups !== undefined && Object.hasOwn(groups, group) && (groups[group] as string[]).includes(approver);
}

/** The first of the requirement's roles the approver belongs to, directly or through a group. */
export function approverRole(approval: ApprovalRequirement, approver: string, groups?: Record<string, string[]>): string | undefined {
  return approval.approvers.find((role) => (approval.membersByRole[role] ?? []).some((member) => isMember(member, approver, groups)));
}

/** `25h` → `1d 1h`: the two largest units, enough to compare a delay with an expiry. */
function formatDurationMs(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  const shown = parts.slice(0, 2).filter((part) => !part.startsWith('0'));
  return shown.length > 0 ? shown.join(' ') : `${ms}ms`;
}

/** Whether one approval decision counts, and why. */
export function judgeApproval(approval: ApprovalRequirement, vote: ApprovalVote & ApprovalContext): ApprovalJudgement {
  const { approver, decision, at, requestedAt, initiatingUser, groups } = vote;
  const verb = decision === 'approve' ? 'approval' : 'rejection';
  if (approval.expiresAfterMs !== null && at - requestedAt > approval.expiresAfterMs) {
    return {
      accepted: false,
      approves: false,
      reason: `${approver}'s ${verb} came ${formatDurationMs(at - requestedAt)} after the request, which expired after ${formatDurationMs(approval.expiresAfterMs)}`,
    };
  }
  const role = approverRole(approval, approver, groups);
  if (role === undefined) {
    const members = approval.members.length > 0 ? approval.members.join(', ') : 'nobody';
    return { accepted: false, approves: false, reason: `${approver} is not a member of ${approval.approvers.join(' or ')} (members: ${members}), so the ${verb} does not count` };
  }
  if (approval.separationOfDuties && initiatingUser != null && approver === initiatingUser) {
    return { accepted: false, approves: false, role, reason: `${approver} started the run, and separation of duties forbids approving one's own request` };
  }
  return { accepted: true, approves: decision === 'approve', role, reason: `${approver} (${role}) ${decision === 'approve' ? 'approved' : 'rejected'} the request` };
}

export interface CountedVote {
  approver: string;
  role: string;
  at: number;
}

export interface ApprovalTally {
  /** `pending` until enough distinct approvals or one valid rejection arrive; `expired` once `now` is past expiry. */
  status: 'approved' | 'rejected' | 'pending' | 'expired';
  approvedBy: CountedVote[];
  rejectedBy: CountedVote | null;
  /** Votes that did not count, with the reason. */
  ignored: Array<ApprovalVote & { reason: string }>;
  reason: string;
}

/**
 * Tallies votes in time order for a requirement: `minApprovals` distinct eligible approvers approve
 * it; a single eligible rejection refuses it. `now` (epoch ms) lets a pending request expire.
 */
export function collectApprovals(approval: ApprovalRequirement, votes: readonly ApprovalVote[], context: ApprovalContext & { now?: number }): ApprovalTally {
  const approvedBy: CountedVote[] = [];
  const ignored: ApprovalTally['ignored'] = [];
  const needed = `${approval.minApprovals} approval${approval.minApprovals === 1 ? '' : 's'} from ${approval.approvers.join(' or ')}`;
  const tally = (status: ApprovalTally['status'], reason: string, rejectedBy: CountedVote | null = null): ApprovalTally => ({ status, approvedBy, rejectedBy, ignored, reason });

  for (const vote of [...votes].sort((a, b) => a.at - b.at)) {
    const judgement = judgeApproval(approval, { ...vote, ...context });
    if (!judgement.accepted || judgement.role === undefined) {
      ignored.push({ ...vote, reason: judgement.reason });
      continue;
    }
    const counted = { approver: vote.approver, role: judgement.role, at: vote.at };
    if (vote.decision === 'reject') return tally('rejected', judgement.reason, counted);
    if (approvedBy.some((a) => a.approver === vote.approver)) {
      ignored.push({ ...vote, reason: `${vote.approver} already approved; approvals must come from distinct people` });
      continue;
    }
    approvedBy.push(counted);
    if (approvedBy.length >= approval.minApprovals) {
      return tally('approved', `approved by ${approvedBy.map((a) => `${a.approver} (${a.role})`).join(', ')}`);
    }
  }
  const got = `${approvedBy.length} of ${needed}`;
  const ignoredText = ignored.length > 0 ? `; not counted: ${ignored.map((v) => v.reason).join('; ')}` : '';
  const expired = approval.expiresAfterMs !== null && context.now !== undefined && context.now - context.requestedAt > approval.expiresAfterMs;
  if (expired) return tally('expired', `the request expired after ${formatDurationMs(approval.expiresAfterMs as number)} with ${got}${ignoredText}`);
  return tally('pending', `waiting: ${got}${ignoredText}`);
}
