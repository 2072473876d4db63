// Replays a stored tool call (from any client, not only our SDK) against a policy: would the call
// have been refused, held as a draft, or did it run without the approval it needed?
// Used by `runlens policy audit` and the evaluation `policy` check.
import { collectApprovals } from './approval.ts';
import type { ApprovalTally, ApprovalVote } from './approval.ts';
import { decide } from './decide.ts';
import type { Decision, Policy, PolicyToolCall } from './types.ts';

export interface StoredToolCall extends PolicyToolCall {
  /** Approval decisions recorded on the call (`runlens.approval` events). */
  approvals?: readonly ApprovalVote[];
  /** When the tool span started (epoch ms): the approval request's time. */
  startedAt: number;
  /** False when the client recorded that the tool did not run (the SDK refused or drafted it). Default true. */
  executed?: boolean;
}

export type ReplayViolationKind = 'denied' | 'not_drafted' | 'missing_approval';

export interface ReplayViolation {
  kind: ReplayViolationKind;
  /** The rule that would have decided. */
  rule: string;
  message: string;
}

export interface ReplayResult {
  decision: Decision;
  /** Null when the call complied with the policy. */
  violation: ReplayViolation | null;
  /** For `approval_required`: how the recorded approvals count. */
  approvals?: ApprovalTally;
}

export function replayToolCall(policy: Policy, call: StoredToolCall): ReplayResult {
  const decision = decide(policy, call);
  const executed = call.executed ?? true;
  const violation = (kind: ReplayViolationKind, message: string): ReplayResult => ({ decision, violation: { kind, rule: decision.rule, message } });

  switch (decision.decision) {
    case 'allow':
      return { decision, violation: null };
    case 'deny':
      return executed ? violation('denied', `${call.tool} ran but policy ${policy.version} denies it: ${decision.reason}`) : { decision, violation: null };
    case 'draft':
      return executed ? violation('not_drafted', `${call.tool} ran but policy ${policy.version} holds it as a draft: ${decision.reason}`) : { decision, violation: null };
    case 'approval_required': {
      const approvals = collectApprovals(decision.approval!, call.approvals ?? [], { requestedAt: call.startedAt, initiatingUser: call.initiatingUser ?? null });
      if (!executed || approvals.status === 'approved') return { decision, violation: null, approvals };
      return {
        ...violation('missing_approval', `${call.tool} ran without a valid approval: ${decision.reason}; ${approvals.reason}`),
        approvals,
      };
    }
  }
}
