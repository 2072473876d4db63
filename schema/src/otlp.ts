// OTLP data after decoding, independent of the wire format (JSON or protobuf).
// The collector's decoders produce these; `normalise` turns them into canonical spans.
import type { Attributes, RunOutcome, Span } from './types.ts';

/** OTLP span kind: API SpanKind + 1 (0 UNSPECIFIED, 1 INTERNAL, 2 SERVER, 3 CLIENT, 4 PRODUCER, 5 CONSUMER). */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;
/** OTLP status code: 0 UNSET, 1 OK, 2 ERROR. */
export type OtlpStatusCode = 0 | 1 | 2;

export interface OtlpEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** One decoded span. Ids are lowercase hex, validated; times are nanoseconds as BigInt. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: OtlpSpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { code: OtlpStatusCode; message: string };
}

export interface OtlpScope {
  name: string;
  version: string | null;
}

/** What `normalise` needs besides the span: the resource and scope it came under. */
export interface OtlpSpanContext {
  resource: Attributes;
  scope: OtlpScope;
}

/** A decoded OTLP log record (only `gen_ai.evaluation.result` records are kept). */
export interface OtlpLogRecord {
  timeUnixNano: bigint;
  eventName: string | null;
  traceId: string | null;
  spanId: string | null;
  body: unknown;
  attributes: Attributes;
  resource: Attributes;
}

/**
 * The facts a span contributes to its run. `deriveRun` combines them; the store keeps them as
 * columns so a run can be rebuilt from its stored spans whatever order they arrived in.
 */
export interface RunFacts {
  agentName: string | null;
  userId: string | null;
  sessionId: string | null;
  promptVersion: string | null;
  policyVersion: string | null;
  appVersion: string | null;
  /** An explicit `runlens.run.outcome` attribute, which wins over everything else. */
  outcome: Exclude<RunOutcome, 'running'> | null;
  /** Reason of a `runlens.escalation` event on this span ('' when it gave none); null if none. */
  escalation: string | null;
  /** Description of a `runlens.budget.exceeded` event on this span; null if none. */
  budgetExceeded: string | null;
  /** Number of `runlens.policy.violation` events on this span. */
  policyViolations: number;
}

/** A canonical span plus what the collector stores beside it. */
export interface NormalisedSpan extends Span {
  startNs: bigint;
  endNs: bigint;
  otlpKind: OtlpSpanKind;
  resource: Attributes;
  scope: OtlpScope;
  facts: RunFacts;
}

/** What `deriveRun` reads of each stored span of a trace (kept as columns by the store). */
export type RunSpanInput = Pick<
  NormalisedSpan,
  | 'spanId'
  | 'parentSpanId'
  | 'name'
  | 'kind'
  | 'startNs'
  | 'endNs'
  | 'status'
  | 'statusMessage'
  | 'errorType'
  | 'service'
  | 'model'
  | 'inputTokens'
  | 'outputTokens'
  | 'cachedTokens'
  | 'costUsd'
  | 'toolName'
  | 'facts'
>;
