// The viewer's only way to the collector: the read API of design.md ("HTTP API"), same origin.
import type {
  ApprovalRecord,
  ApprovalStatus,
  Alert,
  AlertRule,
  Autonomy,
  AutonomyChange,
  AutonomyState,
  DraftRecord,
  ExperimentDetail,
  ExperimentSummary,
  GateReport,
  MetricsQuery,
  MetricsResponse,
  PolicyResponse,
  Run,
  RunsPage,
  RunsQuery,
  Span,
  TraceDetail,
  TraceSummary,
  VersionsSeen,
} from '@runlens/schema';
import { authFetch, streamUrl } from './auth.ts';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await authFetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return (await response.json()) as T;
}

export function fetchRuns(query: RunsQuery, signal?: AbortSignal): Promise<RunsPage> {
  return getJson(`/api/runs${queryString(query)}`, signal);
}

export function fetchTrace(traceId: string, signal?: AbortSignal): Promise<TraceDetail> {
  return getJson(`/api/runs/${encodeURIComponent(traceId)}`, signal);
}

/** The trace without contents (`?contents=false`): ~10× smaller, so a large trace draws at once. */
export function fetchTraceSummary(traceId: string, signal?: AbortSignal): Promise<TraceSummary> {
  return getJson(`/api/runs/${encodeURIComponent(traceId)}?contents=false`, signal);
}

/** One span in full, with its input, output and attributes. */
export function fetchSpan(traceId: string, spanId: string, signal?: AbortSignal): Promise<Span> {
  return getJson(`/api/runs/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`, signal);
}

export function fetchMetrics(query: MetricsQuery, signal?: AbortSignal): Promise<MetricsResponse> {
  return getJson(`/api/metrics${queryString(query)}`, signal);
}

/**
 * Subscribes to runs created or updated (`GET /api/stream`, event `run`). The browser's
 * EventSource reconnects by itself after a dropped connection. Returns the unsubscribe function.
 */
export function subscribeRuns(onRun: (run: Run) => void, onState?: (connected: boolean) => void): () => void {
  const source = new EventSource(streamUrl('/api/stream'));
  const handle = (event: MessageEvent<string>) => {
    try {
      // Each `run` event's data is the Run itself (design.md, "HTTP API").
      const run = JSON.parse(event.data) as Run;
      if (run && typeof run.traceId === 'string') onRun(run);
    } catch {
      // a malformed message is skipped; the next one may be fine
    }
  };
  source.addEventListener('run', handle as EventListener);
  source.addEventListener('open', () => onState?.(true));
  source.addEventListener('error', () => onState?.(source.readyState === EventSource.OPEN));
  return () => source.close();
}

// ---- tool policy (issue 10): the answers' shapes live in @runlens/schema, shared with the collector.

export type { ApprovalRecord, ApprovalStatus, DraftRecord, PolicyResponse, PolicyVersionInfo } from '@runlens/schema';

export function fetchPolicy(signal?: AbortSignal): Promise<PolicyResponse> {
  return getJson('/api/policy', signal);
}

export function fetchApprovals(status: ApprovalStatus | null, signal?: AbortSignal): Promise<{ approvals: ApprovalRecord[] }> {
  return getJson(`/api/approvals${queryString({ status })}`, signal);
}

export function fetchDrafts(signal?: AbortSignal): Promise<{ drafts: DraftRecord[] }> {
  return getJson('/api/drafts', signal);
}

/** Approve or reject a request. `approver` is read only in local open mode (no users configured). */
export async function decideApproval(id: string, body: { decision: 'approve' | 'reject'; comment?: string; approver?: string }): Promise<ApprovalRecord> {
  const response = await authFetch(`/api/approvals/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as { approval?: ApprovalRecord; error?: string };
  if (!response.ok || !answer.approval) throw new ApiError(response.status, answer.error ?? `${response.status} ${response.statusText}`);
  return answer.approval;
}

// ---- production controls: release gate, alerts, kill switch -------------------------------------
// Shapes mirror collector/src/gate/types.ts, collector/src/alerts/evaluator.ts and
// collector/src/autonomy/store.ts (the viewer reaches the collector over HTTP only).

export type { GateMetric, GateReport, Verdict as GateVerdict, VersionKey, VersionsSeen } from '@runlens/schema';

export function fetchGate(query: { baseline: string; candidate: string; since: string; service?: string }, signal?: AbortSignal): Promise<GateReport> {
  return getJson(`/api/gate${queryString(query)}`, signal);
}

export function fetchVersionsSeen(query: { since: string; service?: string }, signal?: AbortSignal): Promise<VersionsSeen> {
  return getJson(`/api/gate/versions${queryString(query)}`, signal);
}

export type { Alert as AlertRecord, AlertRule as AlertRuleRecord, Autonomy as AutonomyLevel, AutonomyChange, AutonomyState } from '@runlens/schema';

export function fetchAlerts(signal?: AbortSignal): Promise<{ firing: number; alerts: Alert[]; rules: AlertRule[] }> {
  return getJson('/api/alerts', signal);
}

export function fetchAutonomy(signal?: AbortSignal): Promise<{ levels: Autonomy[]; services: AutonomyState[]; changes: AutonomyChange[] }> {
  return getJson('/api/autonomy', signal);
}

/** Sets a service's level (admins only: the collector answers 403 otherwise, and the message says so). */
export async function setAutonomy(service: string, level: Autonomy, reason: string): Promise<AutonomyState> {
  const response = await authFetch(`/api/autonomy/${encodeURIComponent(service)}`, {
    method: 'PUT',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ level, reason: reason.trim() || null, source: 'viewer' }),
  });
  const answer = (await response.json().catch(() => ({}))) as AutonomyState & { error?: string };
  if (!response.ok) throw new ApiError(response.status, answer.error ?? `${response.status} ${response.statusText}`);
  return answer;
}

// ---- evaluations (issue 9): the answers' shapes live in @runlens/schema, shared with the collector.

export type {
  EvalCheckResult,
  EvalVerdict,
  ExperimentDetail as EvalExperimentDetail,
  ExperimentSummary as EvalExperimentSummary,
  StoredCase as EvalCaseResult,
  SuiteRates as EvalSuiteRates,
} from '@runlens/schema';

export function fetchEvals(signal?: AbortSignal): Promise<{ experiments: ExperimentSummary[] }> {
  return getJson('/api/evals', signal);
}

/** The newest experiment of that name (or one by id). */
export function fetchEval(experiment: string, signal?: AbortSignal): Promise<ExperimentDetail> {
  return getJson(`/api/evals/${encodeURIComponent(experiment)}`, signal);
}

/** A stored run as one JSONL dataset case (what `runlens dataset add --from-trace` appends). */
export function fetchDatasetLine(traceId: string, signal?: AbortSignal): Promise<{ line: string; case: Record<string, unknown> }> {
  return getJson(`/api/runs/${encodeURIComponent(traceId)}/dataset-line`, signal);
}
