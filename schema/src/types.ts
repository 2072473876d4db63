// The one definition of Runlens data, shared by the SDK, the collector and the viewer.
// API shapes follow ../shared/docs/design.md ("HTTP API"): JSON, camelCase, times in epoch ms.

/** What a span does, whatever convention the client used to say it. */
export type SpanKind = 'agent' | 'llm' | 'tool' | 'chain' | 'retrieval' | 'embedding' | 'guardrail' | 'other';
export const SPAN_KINDS: readonly SpanKind[] = ['agent', 'llm', 'tool', 'chain', 'retrieval', 'embedding', 'guardrail', 'other'];

export type SpanStatus = 'ok' | 'error' | 'unset';

/** A run with no root span yet is `running`; the other four are final outcomes. */
export type RunOutcome = 'success' | 'failure' | 'escalated' | 'budget_exceeded' | 'running';
export const RUN_OUTCOMES: readonly RunOutcome[] = ['success', 'failure', 'escalated', 'budget_exceeded', 'running'];

/** An OTLP AnyValue turned into plain JSON (kvlist → object, array → array, bytes → base64 string). */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  /** Epoch milliseconds (fractional part keeps sub-millisecond precision). */
  time: number;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** One part of a chat message, as in the GenAI conventions (`gen_ai.input.messages`). */
export type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string | null; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string | null; response: unknown }
  | { type: string; [key: string]: unknown };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string;
  parts: MessagePart[];
  name?: string;
  finish_reason?: string;
}

/**
 * The canonical span: OTLP identity plus columns normalised from the client's convention.
 * `input` / `output` hold chat messages (ChatMessage[]) for llm spans, tool arguments / results
 * for tool spans, and whatever the client sent otherwise.
 */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds. */
  startTime: number;
  durationMs: number;
  status: SpanStatus;
  statusMessage: string | null;
  service: string | null;
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  costUsd: number | null;
  toolName: string | null;
  input: unknown;
  output: unknown;
  finishReason: string | null;
  errorType: string | null;
  /** Every original span attribute, unchanged (normalised columns are an index over them). */
  attributes: Attributes;
  events: SpanEvent[];
}

export interface RunVersions {
  model: string | null;
  prompt: string | null;
  policy: string | null;
  app: string | null;
}

/** One trace: one agent execution, derived from its spans and updated as they arrive. */
export interface Run {
  traceId: string;
  name: string | null;
  service: string | null;
  agent: string | null;
  userId: string | null;
  sessionId: string | null;
  versions: RunVersions;
  /** Epoch milliseconds of the earliest span. */
  startTime: number;
  durationMs: number;
  outcome: RunOutcome;
  llmCalls: number;
  toolCalls: number;
  toolErrors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Null when an llm call's model has no known price: never a guess. */
  costUsd: number | null;
  escalated: boolean;
  budgetExceeded: boolean;
  policyViolations: number;
  spanCount: number;
  /** Why it failed, escalated or stopped, when a span or event says so. */
  outcomeReason?: string | null;
}

export interface RunsPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface TraceDetail {
  run: Run;
  spans: Span[];
}

/** A span without its input, output and attributes: what the waterfall and the summary need. */
export type SpanSummary = Omit<Span, 'input' | 'output' | 'attributes'>;

/** GET /api/runs/:traceId?contents=false: the trace without contents, ~10× smaller. */
export interface TraceSummary {
  run: Run;
  spans: SpanSummary[];
  /** What the run was asked and what it answered (run-io.ts), as text; null when no span says. */
  asked: string | null;
  answered: string | null;
}

export type MetricsGroupBy = 'version' | 'model' | 'agent' | 'service';
export const METRICS_GROUP_BY: readonly MetricsGroupBy[] = ['version', 'model', 'agent', 'service'];

export interface MetricsPoint {
  /** Bucket start, epoch milliseconds. */
  t: number;
  runs: number;
  successRate: number | null;
  toolErrorRate: number | null;
  escalationRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  tokensPerRun: number | null;
  costPerRun: number | null;
  costPerSuccess: number | null;
  violationsPerRun: number | null;
}

export interface MetricsSeries {
  group: string | null;
  points: MetricsPoint[];
}

export interface MetricsResponse {
  step: number;
  series: MetricsSeries[];
}

export interface HealthResponse {
  status: 'ok';
  db: string;
  spans: number;
  queueDepth: number;
  /** OTLP exports under admission control (the collector's `serve`; absent where none runs). */
  ingest?: IngestAdmissionStats;
}

/** Exports in flight, waiting and refused by the collector's admission control (`GET /healthz`). */
export interface IngestAdmissionStats {
  /** Exports being read, decoded or written. */
  requestsInFlight: number;
  /** Their bytes (declared, or read so far for chunked bodies). */
  bytesInFlight: number;
  maxBytesInFlight: number;
  /** Exports waiting, body unread, for the budget. */
  waiting: number;
  /** Exports that had to wait for the budget since start (admitted or refused after). */
  waited: number;
  /** Exports answered 503 by admission since start. */
  refused: number;
  /** The Retry-After a refusal gets now, in seconds (it grows with the refusals). */
  retryAfterSeconds: number;
}

/** Error body of every API route: `{ "error": "message" }`. */
export interface ApiError {
  error: string;
}

/** Parameters of `GET /api/runs` (all optional; `from` / `to` epoch ms). */
export interface RunsQuery {
  from?: number;
  to?: number;
  service?: string;
  agent?: string;
  outcome?: RunOutcome;
  model?: string;
  /** Matches any of the run's versions (prompt, policy, app or model). */
  version?: string;
  user?: string;
  session?: string;
  /** Full-text search over span inputs and outputs. */
  q?: string;
  limit?: number;
  cursor?: string;
}

/** Parameters of `GET /api/metrics`; `step` in ms. */
export interface MetricsQuery {
  from: number;
  to: number;
  step: number;
  groupBy?: MetricsGroupBy;
  service?: string;
  agent?: string;
}
