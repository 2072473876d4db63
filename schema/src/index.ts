// Public surface of @runlens/schema. Exports are listed by name; types with `export type`.
export type {
  ApiError,
  AttributeValue,
  Attributes,
  ChatMessage,
  HealthResponse,
  MessagePart,
  MetricsGroupBy,
  MetricsPoint,
  MetricsQuery,
  MetricsResponse,
  MetricsSeries,
  Run,
  RunOutcome,
  RunStreamEvent,
  RunVersions,
  RunsPage,
  RunsQuery,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
  TraceDetail,
} from './types.ts';
export { METRICS_GROUP_BY, RUN_OUTCOMES, SPAN_KINDS } from './types.ts';
export type {
  NormalisedSpan,
  OtlpEvent,
  OtlpLink,
  OtlpLogRecord,
  OtlpScope,
  OtlpSpan,
  OtlpSpanContext,
  OtlpSpanKind,
  OtlpStatusCode,
  RunFacts,
  RunSpanInput,
} from './otlp.ts';
export { GEN_AI, GEN_AI_OPERATIONS, OTEL, RUNLENS, RUNLENS_EVENTS } from './attributes.ts';
export { deriveRun, nsToMs, versionLabel } from './run.ts';
export type {
  CustomRedactionPattern,
  RedactionConfig,
  RedactionHit,
  RedactionKind,
  RedactionRule,
  RedactionRules,
  RedactionViolation,
} from './redact.ts';
export {
  BUILTIN_REDACTION_RULES,
  DEFAULT_REDACTION_RULES,
  RedactionConfigError,
  compileRedactionRules,
  containsSensitiveText,
  passesLuhn,
  redactAttributes,
  redactText,
  redactValue,
  redactionPlaceholder,
} from './redact.ts';
export type { NormaliseOptions } from './normalise/index.ts';
export { nanosToMillis, normaliseSpan } from './normalise/index.ts';
export type { ModelPrice, TokenUsage } from './cost.ts';
export { costOf } from './cost.ts';
