// What the policy, approvals and drafts API answers (JSON, camelCase, times in epoch ms).
import type { ApprovalRequirement, Policy, PolicyRow } from '../policy/index.ts';

export interface PolicyVersionInfo {
  id: number;
  version: string;
  fileName: string | null;
  appliedAt: number;
  appliedBy: string;
}

/** GET /api/policy?service: the policy in force (null when none was applied) and, for a service, its table. */
export interface PolicyResponse {
  id: number | null;
  policy: Policy | null;
  appliedAt: number | null;
  appliedBy: string | null;
  /** `describeIdentity` rows per identity (all identities, or the one asked for). */
  identities: Record<string, PolicyRow[]>;
  versions: PolicyVersionInfo[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface ApprovalVoteRecord {
  approver: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: number;
  counted: boolean;
  role: string | null;
  reason: string;
}

/** A tool call the policy held back (for approval, or as a draft): what was asked, by which run. */
export interface HeldToolCall {
  id: string;
  service: string;
  tool: string;
  arguments: unknown;
  traceId: string | null;
  spanId: string | null;
  runName: string | null;
  policyVersion: string | null;
  filedBy: string;
}

export interface ApprovalRecord extends HeldToolCall {
  initiatingUser: string | null;
  rule: string;
  reason: string;
  requirement: ApprovalRequirement;
  requestedAt: number;
  expiresAt: number | null;
  status: ApprovalStatus;
  statusReason: string | null;
  decidedAt: number | null;
  votes: ApprovalVoteRecord[];
}

export interface DraftRecord extends HeldToolCall {
  rule: string | null;
  reason: string | null;
  draftTool: string | null;
  createdAt: number;
}
