// Wires the `policy` check to the policy engine of @runlens/schema: every tool span of the trace
// becomes a stored call for `replayToolCall`, and each violation it finds becomes a finding.

import { RUNLENS, RUNLENS_EVENTS, replayToolCall } from '@runlens/schema';
import type { ApprovalVote, Policy, Span, StoredToolCall, TraceDetail } from '@runlens/schema';
import { parseJsonText } from './checks/trace-view.ts';
import type { PolicyFinding, PolicyReplay } from './types.ts';

export interface PolicyReplayOptions {
  /** The service identity whose rules apply; default: the span's ingest identity, else its service. */
  service?: string;
}

// Decisions with which the SDK recorded that it did not run the tool (refused, or held as a draft).
const NOT_EXECUTED = new Set(['deny', 'draft']);
/** `error.type` of a tool span whose tool our SDK refused before it ran (an approval that never
 * came leaves decision approval_required on the span, which alone would read as executed). */
const NOT_RUN_ERRORS = new Set(['ToolDeniedError', 'ApprovalRejectedError', 'ActionsDisabledError']);

function verdictOf(decision: unknown): ApprovalVote['decision'] | null {
  if (typeof decision !== 'string') return null;
  const word = decision.toLowerCase();
  if (['approve', 'approved', 'allow', 'allowed', 'granted'].includes(word)) return 'approve';
  if (['reject', 'rejected', 'refuse', 'refused', 'deny', 'denied'].includes(word)) return 'reject';
  return null;
}

/**
 * `runlens.approval` events for a tool call: those on its own span, and those elsewhere in the
 * trace whose `action` names the tool (an approval gate recorded before the call started).
 */
function approvalsFor(span: Span, tool: string, trace: TraceDetail): ApprovalVote[] {
  const votes: ApprovalVote[] = [];
  for (const candidate of trace.spans) {
    for (const event of candidate.events) {
      if (event.name !== RUNLENS_EVENTS.approval) continue;
      if (candidate !== span && event.attributes.action !== tool) continue;
      const decision = verdictOf(event.attributes.decision);
      const approver = event.attributes.approver;
      if (decision && typeof approver === 'string') votes.push({ approver, decision, at: event.time });
    }
  }
  return votes;
}

export function toStoredToolCall(span: Span, trace: TraceDetail, options: PolicyReplayOptions = {}): StoredToolCall {
  const tool = span.toolName ?? span.name;
  const identity = span.attributes[RUNLENS.identity];
  const decision = span.attributes[RUNLENS.policyDecision];
  return {
    service: options.service ?? (typeof identity === 'string' ? identity : null) ?? span.service ?? trace.run.service ?? 'unknown',
    tool,
    args: parseJsonText(span.input),
    initiatingUser: trace.run.userId,
    approvals: approvalsFor(span, tool, trace),
    startedAt: span.startTime,
    executed: !(typeof decision === 'string' && NOT_EXECUTED.has(decision)) && !(span.errorType !== null && NOT_RUN_ERRORS.has(span.errorType)),
  };
}

/** A `PolicyReplay` for the `policy` check, judging every tool span against `policy`. */
export function policyReplay(policy: Policy, options: PolicyReplayOptions = {}): PolicyReplay {
  return (trace) => {
    const findings: PolicyFinding[] = [];
    for (const span of trace.spans) {
      if (span.kind !== 'tool') continue;
      const call = toStoredToolCall(span, trace, options);
      const { violation } = replayToolCall(policy, call);
      if (violation) findings.push({ tool: call.tool, rule: violation.rule, reason: violation.message, spanId: span.spanId });
    }
    return findings;
  };
}
