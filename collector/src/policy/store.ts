// Policy versions, approval requests and drafts in the collector's database. Writes go through
// the store's single writer (`execute`, one transaction each); reads use its read connection.
// Approval status is judged by the engine (`collectApprovals`), never here.
import { randomUUID } from 'node:crypto';
import { collectApprovals, loadPolicyObject } from '@runlens/schema';
import type { ApprovalRequirement, ApprovalVote, Policy } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import type { ApprovalRecord, ApprovalStatus, ApprovalVoteRecord, DraftRecord, PolicyVersionInfo } from '@runlens/schema';

interface PolicyRowDb {
  id: number;
  version: string;
  document: string;
  file_name: string | null;
  applied_at: number;
  applied_by: string;
}

interface ApprovalRowDb {
  id: string;
  service: string;
  tool: string;
  arguments: string | null;
  trace_id: string | null;
  span_id: string | null;
  run_name: string | null;
  initiating_user: string | null;
  rule: string;
  reason: string;
  policy_version: string | null;
  requirement: string;
  requested_at: number;
  expires_at: number | null;
  status: ApprovalStatus;
  status_reason: string | null;
  decided_at: number | null;
  filed_by: string;
}

interface VoteRowDb {
  approver: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: number;
  counted: number;
  role: string | null;
  reason: string;
}

interface DraftRowDb {
  id: string;
  service: string;
  tool: string;
  arguments: string | null;
  trace_id: string | null;
  span_id: string | null;
  run_name: string | null;
  rule: string | null;
  reason: string | null;
  draft_tool: string | null;
  policy_version: string | null;
  created_at: number;
  filed_by: string;
}

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** What an agent files: the call and the engine's requirement for it (the record minus what the collector adds). */
export type ApprovalFiling = Omit<ApprovalRecord, 'id' | 'requestedAt' | 'expiresAt' | 'status' | 'statusReason' | 'decidedAt' | 'filedBy' | 'votes'> & {
  /** How long the agent waits (its approvalTimeoutMs): after that the request closes as expired. */
  waitMs?: number | null;
};

export type DraftFiling = Omit<DraftRecord, 'createdAt' | 'filedBy' | 'id'> & { id?: string };

export class PolicyStore {
  readonly #store: Store;
  readonly #now: () => number;
  /** The parsed policy of the newest version, re-validated only when the version changes. */
  #cache: { id: number; policy: Policy } | null = null;

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  // ---- policy versions --------------------------------------------------------------------

  async apply(policy: Policy, source: string, fileName: string | null, appliedBy: string): Promise<PolicyVersionInfo> {
    const appliedAt = this.#now();
    // The change and its access-log row (action `policy.apply`) commit together.
    const [result] = await this.#store.execute([
      {
        sql: 'INSERT INTO policy_versions (version, document, source, file_name, applied_at, applied_by) VALUES (?, ?, ?, ?, ?, ?)',
        params: [policy.version, JSON.stringify(policy), source, fileName, appliedAt, appliedBy],
      },
      {
        sql: "INSERT INTO access_log (at, principal, action, trace_id, query) VALUES (?, ?, 'policy.apply', NULL, ?)",
        params: [appliedAt, appliedBy, `policy version ${policy.version}${fileName ? ` from ${fileName}` : ''}`],
      },
    ]);
    return { id: Number(result!.lastInsertRowid), version: policy.version, fileName, appliedAt, appliedBy };
  }

  /** The policy in force: the newest applied version. */
  current(): { info: PolicyVersionInfo; policy: Policy } | null {
    const row = this.#store.query<PolicyRowDb>('SELECT id, version, document, file_name, applied_at, applied_by FROM policy_versions ORDER BY id DESC LIMIT 1')[0];
    if (!row) return null;
    if (this.#cache?.id !== row.id) {
      const loaded = loadPolicyObject(JSON.parse(row.document), `policy version ${row.id}`);
      if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
      this.#cache = { id: row.id, policy: loaded.policy };
    }
    return { info: versionInfo(row), policy: this.#cache.policy };
  }

  versions(limit = 50): PolicyVersionInfo[] {
    return this.#store
      .query<PolicyRowDb>('SELECT id, version, document, file_name, applied_at, applied_by FROM policy_versions ORDER BY id DESC LIMIT ?', [limit])
      .map(versionInfo);
  }

  // ---- approvals -------------------------------------------------------------------------

  async fileApproval(filing: ApprovalFiling, filedBy: string): Promise<ApprovalRecord> {
    const id = randomUUID();
    const requestedAt = this.#now();
    // Closes at the rule's expiry, or earlier when the agent stops waiting: a late answer helps no one.
    const ends = [filing.requirement.expiresAfterMs, filing.waitMs ?? null].filter((ms): ms is number => ms !== null);
    const expiresAt = ends.length === 0 ? null : requestedAt + Math.min(...ends);
    await this.#store.execute([
      {
        sql: `INSERT INTO approvals (id, service, tool, arguments, trace_id, span_id, run_name, initiating_user, rule, reason,
                policy_version, requirement, requested_at, expires_at, status, filed_by)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
        params: [
          id,
          filing.service,
          filing.tool,
          JSON.stringify(filing.arguments ?? null),
          filing.traceId,
          filing.spanId,
          filing.runName,
          filing.initiatingUser,
          filing.rule,
          filing.reason,
          filing.policyVersion,
          JSON.stringify(filing.requirement),
          requestedAt,
          expiresAt,
          filedBy,
        ],
      },
    ]);
    return this.approval(id)!;
  }

  /** One request with its votes; a pending request past its expiry reads as expired. */
  approval(id: string): ApprovalRecord | null {
    const row = this.#store.query<ApprovalRowDb>('SELECT * FROM approvals WHERE id = ?', [id])[0];
    return row ? this.#record(row) : null;
  }

  approvals(status: ApprovalStatus | null, limit = 200): ApprovalRecord[] {
    // Expiry is decided at read time, so `pending` is filtered after judging.
    const rows = status === null || status === 'pending' || status === 'expired'
      ? this.#store.query<ApprovalRowDb>(`SELECT * FROM approvals ${status === null ? '' : "WHERE status = 'pending'"} ORDER BY requested_at DESC LIMIT ?`, [limit])
      : this.#store.query<ApprovalRowDb>('SELECT * FROM approvals WHERE status = ? ORDER BY requested_at DESC LIMIT ?', [status, limit]);
    const records = rows.map((row) => this.#record(row));
    return status === null ? records : records.filter((record) => record.status === status);
  }

  /**
   * Records one person's answer and the request's new status. Every answer is kept; whether it
   * counts (member of an approver role, not the initiating user under separation of duties, in
   * time) is the engine's judgement, returned with the record.
   */
  async vote(id: string, vote: { approver: string; decision: 'approve' | 'reject'; comment: string | null }): Promise<{ record: ApprovalRecord; counted: boolean; reason: string } | null> {
    const before = this.approval(id);
    if (!before) return null;
    const at = this.#now();
    const votes: ApprovalVote[] = [...before.votes.map(({ approver, decision, at: when }) => ({ approver, decision, at: when })), { approver: vote.approver, decision: vote.decision, at }];
    const context = { requestedAt: before.requestedAt, initiatingUser: before.initiatingUser, now: at };
    const tally = collectApprovals(before.requirement, votes, context);
    const ignored = tally.ignored.find((v) => v.approver === vote.approver && v.at === at && v.decision === vote.decision);
    const counted = ignored === undefined;
    const role = counted ? ([...tally.approvedBy, ...(tally.rejectedBy ? [tally.rejectedBy] : [])].find((v) => v.approver === vote.approver)?.role ?? null) : null;
    const reason = ignored?.reason ?? `${vote.approver}${role ? ` (${role})` : ''} ${vote.decision === 'approve' ? 'approved' : 'rejected'}`;
    // An answer that does not count closes a pending request: the waiting agent treats it as a refusal.
    const status: ApprovalStatus = before.status !== 'pending' ? before.status : counted ? tally.status : 'rejected';
    const statusReason = counted ? tally.reason : `${reason}; the agent does not wait further`;
    await this.#store.execute([
      {
        sql: 'INSERT INTO approval_votes (approval_id, approver, decision, comment, at, counted, role, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        params: [id, vote.approver, vote.decision, vote.comment, at, counted ? 1 : 0, role, reason],
      },
      {
        sql: 'UPDATE approvals SET status = ?, status_reason = ?, decided_at = ? WHERE id = ?',
        params: [status, statusReason, status === 'pending' ? null : (before.decidedAt ?? at), id],
      },
    ]);
    return { record: this.approval(id)!, counted, reason };
  }

  #record(row: ApprovalRowDb): ApprovalRecord {
    const votes = this.#store
      .query<VoteRowDb>('SELECT approver, decision, comment, at, counted, role, reason FROM approval_votes WHERE approval_id = ? ORDER BY at, id', [row.id])
      .map((v): ApprovalVoteRecord => ({ ...v, counted: v.counted === 1 }));
    const requirement = JSON.parse(row.requirement) as ApprovalRequirement;
    let status = row.status;
    let statusReason = row.status_reason;
    if (status === 'pending' && row.expires_at !== null && this.#now() > row.expires_at) {
      status = 'expired';
      const tally = collectApprovals(requirement, votes, { requestedAt: row.requested_at, initiatingUser: row.initiating_user, now: this.#now() });
      statusReason = tally.status === 'expired' ? tally.reason : `the agent stopped waiting after ${row.expires_at - row.requested_at} ms; ${tally.reason}`;
    }
    return {
      id: row.id,
      service: row.service,
      tool: row.tool,
      arguments: parseJson(row.arguments),
      traceId: row.trace_id,
      spanId: row.span_id,
      runName: row.run_name,
      initiatingUser: row.initiating_user,
      rule: row.rule,
      reason: row.reason,
      policyVersion: row.policy_version,
      requirement,
      requestedAt: row.requested_at,
      expiresAt: row.expires_at,
      status,
      statusReason,
      decidedAt: row.decided_at,
      filedBy: row.filed_by,
      votes,
    };
  }

  // ---- drafts ----------------------------------------------------------------------------

  async fileDraft(draft: DraftFiling, filedBy: string): Promise<DraftRecord> {
    const id = draft.id ?? randomUUID();
    const createdAt = this.#now();
    await this.#store.execute([
      {
        sql: `INSERT OR IGNORE INTO drafts (id, service, tool, arguments, trace_id, span_id, run_name, rule, reason, draft_tool, policy_version, created_at, filed_by)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          id,
          draft.service,
          draft.tool,
          typeof draft.arguments === 'string' ? draft.arguments : JSON.stringify(draft.arguments ?? null),
          draft.traceId,
          draft.spanId,
          draft.runName,
          draft.rule,
          draft.reason,
          draft.draftTool,
          draft.policyVersion,
          createdAt,
          filedBy,
        ],
      },
    ]);
    return this.drafts({ id })[0]!;
  }

  drafts(filter: { id?: string; service?: string; limit?: number } = {}): DraftRecord[] {
    const rows = filter.id
      ? this.#store.query<DraftRowDb>('SELECT * FROM drafts WHERE id = ?', [filter.id])
      : filter.service
        ? this.#store.query<DraftRowDb>('SELECT * FROM drafts WHERE service = ? ORDER BY created_at DESC LIMIT ?', [filter.service, filter.limit ?? 200])
        : this.#store.query<DraftRowDb>('SELECT * FROM drafts ORDER BY created_at DESC LIMIT ?', [filter.limit ?? 200]);
    return rows.map((row) => ({
      id: row.id,
      service: row.service,
      tool: row.tool,
      arguments: parseJson(row.arguments),
      traceId: row.trace_id,
      spanId: row.span_id,
      runName: row.run_name,
      rule: row.rule,
      reason: row.reason,
      draftTool: row.draft_tool,
      policyVersion: row.policy_version,
      createdAt: row.created_at,
      filedBy: row.filed_by,
    }));
  }
}

function versionInfo(row: PolicyRowDb): PolicyVersionInfo {
  return { id: row.id, version: row.version, fileName: row.file_name, appliedAt: row.applied_at, appliedBy: row.applied_by };
}
