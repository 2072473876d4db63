// Public surface of @runlens/schema. Exports are listed by name; types with `export type`.
export type {
  ApiError,
  AttributeValue,
  Attributes,
  ChatMessage,
  HealthResponse,
  IngestAdmissionStats,
  MessagePart,
  MetricsGroupBy,
  MetricsPoint,
  MetricsQuery,
  MetricsResponse,
  MetricsSeries,
  Run,
  RunOutcome,
  RunVersions,
  RunsPage,
  RunsQuery,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
  SpanSummary,
  TraceDetail,
  TraceSummary,
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
export { runInputOutput, runIoSpans, type RunIoSpan } from './run-io.ts';
export type { ModelPrice, TokenUsage } from './cost.ts';
export { costOf } from './cost.ts';
export type {
  ApprovalContext,
  ApprovalJudgement,
  ApprovalMatch,
  ApprovalRequirement,
  ApprovalRule,
  ApprovalTally,
  ApprovalVerdict,
  ApprovalVote,
  ArgumentComparison,
  ArgumentCondition,
  Autonomy,
  ComparisonOperator,
  ConditionValue,
  CountedVote,
  Decision,
  EndpointRule,
  HttpCall,
  IdentityPolicy,
  LintFinding,
  Policy,
  PolicyDecisionKind,
  PolicyError,
  PolicyResult,
  PolicyRow,
  PolicyToolCall,
  ReplayResult,
  ReplayViolation,
  ReplayViolationKind,
  RowDecision,
  StoredToolCall,
  ToolEntry,
  ToolHints,
  ToolRule,
} from './policy/index.ts';
export {
  AUTONOMY_LEVELS,
  COMPARISON_OPERATORS,
  MAX_PATTERN_LENGTH,
  WORST_CASE_HINTS,
  approverRole,
  catalogueEntry,
  collectApprovals,
  compileGlob,
  decide,
  describeCondition,
  describeIdentity,
  evaluateCondition,
  isGlob,
  judgeApproval,
  lintPolicy,
  loadPolicyObject,
  parseDuration,
  parsePolicy,
  readHttpCall,
  replayToolCall,
  toolHints,
} from './policy/index.ts';
// Answers of the control-plane API (policy, approvals, drafts, release gate), shared by the
// collector that sends them and the viewer that reads them.
export type { ApprovalRecord, ApprovalStatus, ApprovalVoteRecord, DraftRecord, PolicyResponse, PolicyVersionInfo } from './api/policy.ts';
export type {
  GateMetric,
  GateMetricName,
  GateQuery,
  GateReport,
  GateSide,
  GateThresholds,
  MetricVerdict,
  Verdict,
  VersionKey,
  VersionSelector,
  VersionsSeen,
} from './api/gate.ts';
export { GATE_METRICS, VERSION_KEYS } from './api/gate.ts';
export type {
  AttackKind,
  CheckLabel,
  EvalCheckResult,
  EvalVerdict,
  ExperimentDetail,
  ExperimentSummary,
  Severity,
  StoredCase,
  StoredTrial,
  Suite,
  SuiteRates,
} from './api/evals.ts';
export { ATTACK_KINDS, SEVERITIES, SUITES } from './api/evals.ts';
export type { Alert, AlertMetric, AlertRule, AlertState, AutonomyChange, AutonomyState } from './api/controls.ts';
export { ALERT_METRICS } from './api/controls.ts';
