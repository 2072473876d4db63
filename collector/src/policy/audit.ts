// `runlens policy audit`: replays the tool spans of stored runs, from any client, against the
// policy (the engine's replayToolCall) and reports each call the policy would have denied, that
// ran instead of being drafted, or that ran without its approval. Each finding is recorded on its
// run as a `runlens.policy.violation` event on a small `runlens.policy.audit` span under the tool
// span, so the run's policyViolations (derived from span events, like every other count) and the
// dashboards include it. The span id is derived from the tool span's, so auditing twice records
// each finding once.
import { createHash } from 'node:crypto';
import { RUNLENS, RUNLENS_EVENTS, normaliseSpan, replayToolCall } from '@runlens/schema';
import type { NormalisedSpan, OtlpSpan, Policy, ReplayViolationKind, Span, TraceDetail } from '@runlens/schema';
import { toStoredToolCall } from '../eval/policy-replay.ts';
import type { Store } from '../store/store.ts';

export interface AuditOptions {
  /** Runs that started at or after this time (epoch ms). */
  since: number;
  service?: string;
  /** Record each finding as a policy violation on its run. Default true. */
  record?: boolean;
}

export interface AuditFinding {
  traceId: string;
  spanId: string;
  service: string;
  tool: string;
  kind: ReplayViolationKind;
  rule: string;
  message: string;
  /** When the tool call started (epoch ms). */
  at: number;
}

export interface AuditReport {
  policyVersion: string;
  runs: number;
  toolCalls: number;
  findings: AuditFinding[];
}

export const AUDIT_SPAN_NAME = 'runlens.policy.audit';

export async function auditRuns(store: Store, policy: Policy, options: AuditOptions): Promise<AuditReport> {
  const report: AuditReport = { policyVersion: policy.version, runs: 0, toolCalls: 0, findings: [] };
  const records: NormalisedSpan[] = [];
  let cursor: string | undefined;
  do {
    const page = store.listRuns({ from: options.since, ...(options.service ? { service: options.service } : {}), limit: 500, ...(cursor ? { cursor } : {}) });
    for (const run of page.runs) {
      const trace = store.getTrace(run.traceId);
      if (!trace) continue;
      report.runs++;
      for (const span of trace.spans) {
        if (span.kind !== 'tool' || span.name === AUDIT_SPAN_NAME) continue;
        report.toolCalls++;
        const call = toStoredToolCall(span, trace);
        const { violation } = replayToolCall(policy, call);
        if (!violation) continue;
        const finding: AuditFinding = { traceId: trace.run.traceId, spanId: span.spanId, service: call.service, tool: call.tool, kind: violation.kind, rule: violation.rule, message: violation.message, at: span.startTime };
        report.findings.push(finding);
        records.push(auditSpan(trace, span, finding, policy.version));
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if ((options.record ?? true) && records.length > 0) {
    for (let i = 0; i < records.length; i += 500) await store.write(records.slice(i, i + 500));
  }
  return report;
}

const nanos = (ms: number): bigint => BigInt(Math.round(ms * 1e6));

function auditSpan(trace: TraceDetail, tool: Span, finding: AuditFinding, policyVersion: string): NormalisedSpan {
  const spanId = createHash('sha256').update(`${finding.traceId}:${tool.spanId}:${AUDIT_SPAN_NAME}`).digest('hex').slice(0, 16);
  const end = nanos(tool.startTime + tool.durationMs);
  const otlp: OtlpSpan = {
    traceId: finding.traceId,
    spanId,
    parentSpanId: tool.spanId,
    name: AUDIT_SPAN_NAME,
    kind: 1,
    startTimeUnixNano: end,
    endTimeUnixNano: end,
    attributes: {
      [RUNLENS.policyDecision]: finding.kind === 'missing_approval' ? 'approval_required' : finding.kind === 'not_drafted' ? 'draft' : 'deny',
      [RUNLENS.policyRule]: finding.rule,
      [RUNLENS.policyVersion]: policyVersion,
      'runlens.audit.tool': finding.tool,
      'runlens.audit.kind': finding.kind,
    },
    events: [{ name: RUNLENS_EVENTS.policyViolation, timeUnixNano: end, attributes: { rule: finding.rule, field: finding.tool, kind: finding.kind, reason: finding.message, source: 'audit' } }],
    links: [],
    status: { code: 0, message: '' },
  };
  return normaliseSpan(otlp, { resource: { 'service.name': tool.service ?? trace.run.service ?? finding.service }, scope: { name: 'runlens-policy-audit', version: null } });
}
