// The policy gate `run.tool` passes before a tool runs. The engine (@runlens/schema) decides;
// this file only enforces: refuse, hold as a draft, or wait for an approval, and records what
// happened on the tool span (`runlens.policy.*`, `runlens.approval`, `runlens.action.draft`).
import { randomUUID } from 'node:crypto';
import type { Attributes, Span } from '@opentelemetry/api';
import { RUNLENS, RUNLENS_EVENTS, collectApprovals, decide, redactText } from '@runlens/schema';
import type { ApprovalRequirement, ApprovalTally, ApprovalVote, Decision, Policy } from '@runlens/schema';
import { redactForSpan, toContentString, type ContentPolicy } from '../content.ts';
import { ApprovalRejectedError, ToolDeniedError } from './errors.ts';
import { collectorFetch, type CollectorLink, type PolicySource } from './source.ts';

export const DEFAULT_APPROVAL_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_APPROVAL_POLL_MS = 500;

/** What an approver is asked: the call, its run, and who may decide. */
export interface ApprovalRequest {
  /** Set when the request was filed with the collector. */
  id: string | null;
  service: string;
  tool: string;
  arguments: unknown;
  traceId: string;
  spanId: string;
  runName: string;
  initiatingUser: string | null;
  rule: string;
  reason: string;
  policyVersion: string;
  requirement: ApprovalRequirement;
  /** Epoch ms. */
  requestedAt: number;
}

export interface ApprovalResponse {
  decision: 'approve' | 'reject';
  /** A user name, as listed under the policy's `approvers`. */
  approver: string;
  comment?: string;
}

/** The application's approval channel (chat, ticketing): one answer, or several when a rule needs more than one approval. */
export type OnApproval = (request: ApprovalRequest) => Promise<ApprovalResponse | ApprovalResponse[]> | ApprovalResponse | ApprovalResponse[];

/** What a drafted call resolves to: the tool did not run; a person reviews the draft. */
export interface DraftedToolCall {
  status: 'drafted';
  draftId: string;
  tool: string;
}

export function isDraftedToolCall(value: unknown): value is DraftedToolCall {
  return typeof value === 'object' && value !== null && (value as DraftedToolCall).status === 'drafted' && typeof (value as DraftedToolCall).draftId === 'string';
}

export interface PolicyGateOptions {
  service: string;
  source: PolicySource;
  /** The collector, for filing approval requests and drafts; null when spans go elsewhere. */
  link: CollectorLink | null;
  onApproval?: OnApproval;
  approvalTimeoutMs?: number;
  approvalPollMs?: number;
  content: ContentPolicy;
}

export interface ToolCallContext {
  tool: string;
  args: unknown;
  /** The tool span, already started. */
  span: Span;
  traceId: string;
  runName: string;
  userId: string | null;
  /** `run.tool(…, { readOnly: true })`: the only tools allowed while no policy is known. */
  readOnly: boolean;
  /** The model's tool call id, when known: approvals given upstream (`grant`) are keyed by it. */
  callId?: string | null;
  /** Called with the version of the policy that decides the call, before it is enforced. */
  recordVersion?: (version: string) => void;
}

export interface GateOutcome {
  policyVersion: string | null;
  /** Set when the call was held as a draft: the tool must not run. */
  drafted: DraftedToolCall | null;
}

const NO_POLICY = 'no-policy';

export class PolicyGate {
  readonly #opts: Required<Omit<PolicyGateOptions, 'onApproval' | 'link'>> & Pick<PolicyGateOptions, 'onApproval' | 'link'>;
  #draftWarned = false;
  /** Approvals given before the call reached the gate (the `ai` package's approval flow), by call id. */
  readonly #granted = new Map<string, ApprovalResponse[]>();

  constructor(options: PolicyGateOptions) {
    this.#opts = { approvalTimeoutMs: DEFAULT_APPROVAL_TIMEOUT_MS, approvalPollMs: DEFAULT_APPROVAL_POLL_MS, ...options };
  }

  /** The policy version known right now, for the run's root span; null before a remote policy arrives. */
  knownVersion(): string | null {
    return this.#opts.source.knownVersion();
  }

  stop(): void {
    this.#opts.source.stop();
  }

  /** The engine's decision for a call, without enforcing it; null while no policy is known. */
  async decision(tool: string, args: unknown, userId: string | null): Promise<Decision | null> {
    const policy = await this.#opts.source.current();
    return policy ? decide(policy, { service: this.#opts.service, tool, args, initiatingUser: userId }) : null;
  }

  /** Records answers an approver gave elsewhere for one tool call; the gate judges them when the call arrives. */
  grant(callId: string, answers: ApprovalResponse[]): void {
    this.#granted.set(callId, answers);
  }

  /** Decides the call and enforces the decision. Throws ToolDeniedError or ApprovalRejectedError. */
  async beforeTool(call: ToolCallContext): Promise<GateOutcome> {
    const policy = await this.#opts.source.current();
    const { span, tool } = call;
    if (!policy) {
      // Fail closed: with no policy ever known only tools the agent marked readOnly run.
      const decision = call.readOnly ? 'allow' : 'deny';
      span.setAttributes({ [RUNLENS.policyDecision]: decision, [RUNLENS.policyRule]: NO_POLICY });
      if (call.readOnly) return { policyVersion: null, drafted: null };
      const reason = 'no policy is known yet (the collector has not answered), so only tools marked readOnly may run';
      this.#violation(span, NO_POLICY, tool, reason);
      throw new ToolDeniedError(tool, NO_POLICY, reason);
    }
    call.recordVersion?.(policy.version);
    const decision = decide(policy, { service: this.#opts.service, tool, args: call.args, initiatingUser: call.userId });
    span.setAttributes({
      [RUNLENS.policyDecision]: decision.decision,
      [RUNLENS.policyRule]: decision.rule,
      [RUNLENS.policyVersion]: decision.policyVersion,
    });
    switch (decision.decision) {
      case 'allow':
        return { policyVersion: policy.version, drafted: null };
      case 'deny': {
        const argument = argumentOfRule(policy, decision.rule, tool);
        this.#violation(span, decision.rule, argument ?? tool, decision.reason);
        throw new ToolDeniedError(tool, decision.rule, decision.reason, argument, decision.policyVersion);
      }
      case 'draft':
        return { policyVersion: policy.version, drafted: this.#draft(call, decision) };
      case 'approval_required':
        await this.#approve(call, decision);
        return { policyVersion: policy.version, drafted: null };
    }
  }

  #violation(span: Span, rule: string, field: string, reason: string): void {
    span.addEvent(RUNLENS_EVENTS.policyViolation, { rule, field, reason });
  }

  #draft(call: ToolCallContext, decision: Decision): DraftedToolCall {
    const draftId = randomUUID();
    const { span, tool } = call;
    const text = this.#opts.content.capture ? redactForSpan(span, 'runlens.action.draft.arguments', toContentString(call.args), this.#opts.content.rules) : '';
    const event: Attributes = { tool, arguments: text, draftId, rule: decision.rule };
    if (decision.draftTool) event.draftTool = decision.draftTool;
    span.addEvent(RUNLENS_EVENTS.actionDraft, event);
    const link = this.#opts.link;
    if (link) {
      // Filed in the background: the draft is already on the span; the inbox is a convenience.
      const body = {
        id: draftId,
        service: this.#opts.service,
        tool,
        arguments: text,
        traceId: call.traceId,
        spanId: span.spanContext().spanId,
        runName: call.runName,
        rule: decision.rule,
        reason: decision.reason,
        draftTool: decision.draftTool ?? null,
        policyVersion: decision.policyVersion,
      };
      void collectorFetch(link, '/api/drafts', { method: 'POST', body })
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
        })
        .catch((error: Error) => {
          if (!this.#draftWarned) console.warn(`[runlens] could not file draft ${draftId} with the collector: ${error.message}`);
          this.#draftWarned = true;
        });
    }
    return { status: 'drafted', draftId, tool };
  }

  async #approve(call: ToolCallContext, decision: Decision): Promise<void> {
    const requirement = decision.approval!;
    const { span, tool } = call;
    const request: ApprovalRequest = {
      id: null,
      service: this.#opts.service,
      tool,
      arguments: call.args,
      traceId: call.traceId,
      spanId: span.spanContext().spanId,
      runName: call.runName,
      initiatingUser: call.userId,
      rule: decision.rule,
      reason: decision.reason,
      policyVersion: decision.policyVersion,
      requirement,
      requestedAt: Date.now(),
    };
    const started = Date.now();
    const granted = call.callId ? this.#granted.get(call.callId) : undefined;
    if (call.callId) this.#granted.delete(call.callId);
    const tally = granted
      ? this.#tally(request, granted.map((a) => ({ approver: a.approver, decision: a.decision, at: Date.now() })), Date.now())
      : this.#opts.onApproval
        ? await this.#askHandler(request)
        : await this.#askCollector(request);
    const waited = Date.now() - started;
    const base = { action: tool, waited_ms: waited, rule: decision.rule };
    for (const vote of tally.approvedBy) span.addEvent(RUNLENS_EVENTS.approval, { ...base, approver: vote.approver, role: vote.role, decision: 'approve' });
    for (const vote of tally.ignored) span.addEvent(RUNLENS_EVENTS.approval, { ...base, approver: vote.approver, role: '', decision: vote.decision, counted: false, reason: vote.reason });
    if (tally.status === 'approved') return;

    let status: ApprovalRejectedError['status'];
    let approver: string | null = null;
    let reason = tally.reason;
    if (tally.status === 'rejected' && tally.rejectedBy) {
      status = 'rejected';
      approver = tally.rejectedBy.approver;
      span.addEvent(RUNLENS_EVENTS.approval, { ...base, approver, role: tally.rejectedBy.role, decision: 'reject' });
    } else if (tally.ignored.length > 0) {
      status = 'not_allowed';
      approver = tally.ignored[0]!.approver;
      reason = tally.ignored.map((vote) => vote.reason).join('; ');
    } else {
      status = tally.status === 'expired' ? 'expired' : tally.reason.startsWith('could not') ? 'unavailable' : 'timeout';
      span.addEvent(RUNLENS_EVENTS.approval, { ...base, approver: '', role: '', decision: status });
    }
    span.addEvent(RUNLENS_EVENTS.escalation, { reason: `approval of ${tool} not given: ${reason}` });
    throw new ApprovalRejectedError(tool, decision.rule, status, approver, reason);
  }

  #shareable(args: unknown): unknown {
    const { capture, rules } = this.#opts.content;
    if (!capture) return null;
    const text = toContentString(args);
    if (rules.rules.length === 0) return args;
    const redacted = redactText(text, rules).text;
    try {
      return JSON.parse(redacted) as unknown;
    } catch {
      return redacted;
    }
  }

  #deadline(request: ApprovalRequest): number {
    const expiry = request.requirement.expiresAfterMs;
    return Math.min(request.requestedAt + this.#opts.approvalTimeoutMs, expiry === null ? Infinity : request.requestedAt + expiry + 1);
  }

  #tally(request: ApprovalRequest, votes: ApprovalVote[], now: number): ApprovalTally {
    return collectApprovals(request.requirement, votes, { requestedAt: request.requestedAt, initiatingUser: request.initiatingUser, now });
  }

  async #askHandler(request: ApprovalRequest): Promise<ApprovalTally> {
    const handler = this.#opts.onApproval!;
    const timeout = this.#deadline(request) - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      Promise.resolve().then(() => handler(request)),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.max(0, timeout)))),
    ]).finally(() => clearTimeout(timer));
    const now = Date.now();
    if (answer === null) return timedOut(this.#tally(request, [], now), this.#opts.approvalTimeoutMs);
    const votes = (Array.isArray(answer) ? answer : [answer]).map((a) => ({ approver: String(a.approver), decision: a.decision === 'approve' ? ('approve' as const) : ('reject' as const), at: now }));
    return this.#tally(request, votes, now);
  }

  async #askCollector(request: ApprovalRequest): Promise<ApprovalTally> {
    const link = this.#opts.link;
    const unavailable = (why: string): ApprovalTally => ({ status: 'pending', approvedBy: [], rejectedBy: null, ignored: [], reason: `could not ask for approval: ${why}` });
    if (!link) return unavailable('no onApproval handler and no collector to file the request with');
    let filed: { id: string; requestedAt: number };
    try {
      // The inbox gets the arguments redacted like the span's (and none when content capture is off).
      const body = { ...request, arguments: this.#shareable(request.arguments), waitMs: this.#opts.approvalTimeoutMs };
      const response = await collectorFetch(link, '/api/approvals', { method: 'POST', body });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
      filed = ((await response.json()) as { approval: { id: string; requestedAt: number } }).approval;
    } catch (error) {
      return unavailable(`filing with the collector failed (${(error as Error).message})`);
    }
    // Expiry counts from the collector's clock, the one that stamps the votes.
    const filedRequest = { ...request, id: filed.id, requestedAt: filed.requestedAt };
    // The approval timeout counts from when the agent asked; expiry from the collector's stamp.
    const expiry = request.requirement.expiresAfterMs;
    const deadline = Math.min(request.requestedAt + this.#opts.approvalTimeoutMs, expiry === null ? Infinity : filed.requestedAt + expiry + 1);
    let votes: ApprovalVote[] = [];
    for (;;) {
      try {
        const response = await collectorFetch(link, `/api/approvals/${encodeURIComponent(filed.id)}`);
        if (response.ok) votes = ((await response.json()) as { approval: { votes: ApprovalVote[] } }).approval.votes;
      } catch {
        // An outage while waiting: keep the votes seen so far and keep asking until the deadline.
      }
      const tally = this.#tally(filedRequest, votes, Date.now());
      if (tally.status !== 'pending' || tally.ignored.length > 0) return tally;
      if (Date.now() >= deadline) return timedOut(tally, this.#opts.approvalTimeoutMs);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.#opts.approvalPollMs, Math.max(0, deadline - Date.now()))));
    }
  }
}

function timedOut(tally: ApprovalTally, timeoutMs: number): ApprovalTally {
  if (tally.status !== 'pending') return tally;
  return { ...tally, reason: `no decision within approvalTimeoutMs (${timeoutMs} ms); ${tally.reason}` };
}

/** The argument a deny rule decided on: `url` for endpoint rules, the first condition path otherwise. */
function argumentOfRule(policy: Policy, rule: string, tool: string): string | null {
  if (rule.endsWith('.http')) return 'url';
  // Refused by default although an allow rule names it: an http tool's endpoint did not match.
  if (rule === 'default') return Object.hasOwn(policy.tools, tool) && policy.tools[tool]!.http ? 'url' : null;
  const match = /^identities\.(.+)\.(deny|allow)\[(\d+)\]$/.exec(rule);
  if (!match) return null;
  const identity = Object.hasOwn(policy.identities, match[1]!) ? policy.identities[match[1]!] : undefined;
  const entry = identity?.[match[2] as 'deny' | 'allow'][Number(match[3])];
  if (!entry) return null;
  if (entry.endpoint) return 'url';
  const paths = JSON.stringify(entry.when ?? null).match(/"path":"([^"]+)"/);
  return paths?.[1] ?? null;
}
