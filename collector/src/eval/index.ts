// Evaluations: datasets, deterministic checks over traces, and the gate of `runlens eval`.
export type {
  Approximately,
  Attack,
  AttackKind,
  BudgetCheck,
  Check,
  CheckContext,
  CheckLabel,
  CheckResult,
  CheckType,
  ContainsCheck,
  Dataset,
  DomainCheck,
  EqualsCheck,
  EvalCase,
  ExpectedOutcome,
  ExpectedToolCall,
  JsonSchemaCheck,
  LeakKind,
  NoLeakCheck,
  NoToolCallCheck,
  ObservedToolCall,
  ObservedValues,
  PolicyCheck,
  PolicyFinding,
  PolicyReplay,
  RefusalCheck,
  RegexCheck,
  Severity,
  StateCheck,
  StateExpectation,
  Suite,
  ToolCalledCheck,
  ToolSequenceCheck,
} from './types.ts';
export { ATTACK_KINDS, CHECK_TYPES, LEAK_KINDS, SEVERITIES, SUITES } from './types.ts';
export type { DatasetError, DatasetResult, FileReader } from './dataset.ts';
export { loadDataset, parseDataset } from './dataset.ts';
export type { CheckDefaults, FieldIssue } from './checks/parse.ts';
export { parseCheck, parseChecks } from './checks/parse.ts';
export { allPassed, defaultCheckName, runCheck, runChecks } from './checks/run.ts';
export type { TraceToolCall } from './checks/trace-view.ts';
export { finalOutput, outputText, rootSpan, toolCalls } from './checks/trace-view.ts';
export type { DomainArguments, DomainPredicate, DomainVerdict } from './checks/domain.ts';
export { REFUSAL_PATTERNS, findRefusalPhrase } from './checks/refusal.ts';
export type { PolicyReplayOptions } from './policy-replay.ts';
export { policyReplay, toStoredToolCall } from './policy-replay.ts';
export type { TrialInput } from './judge.ts';
export { judgeTrial, toCaseResult } from './judge.ts';
export type {
  CaseResult,
  CaseSummary,
  EvalReport,
  EvalVerdict,
  ExitCode,
  ExperimentResults,
  GateOptions,
  SuiteSummary,
  TrialResult,
} from './verdict.ts';
export { EXIT_CODES, attackSucceeded, caseKey, casePassed, evaluateGate } from './verdict.ts';
export { escapeXml, toJUnitXml } from './junit.ts';
export type { EvaluationEvent } from './events.ts';
export { CHECK_LABELS, EVALUATION_EVENT_NAME, fromEvaluationEventAttributes, toEvaluationEventAttributes } from './events.ts';
export type {
  ExperimentDetail,
  ExperimentReader,
  ExperimentRecord,
  ExperimentSummary,
  StoredCase,
  StoredTrial,
  SuiteRates,
} from './experiments.ts';
export { getExperiment, latestExperimentFor, listExperiments, saveExperiment, toExperimentResults } from './experiments.ts';
export type { DatasetLineOptions } from './dataset-line.ts';
export { datasetCaseFromTrace, datasetLineFromTrace } from './dataset-line.ts';
// The runner (runner.ts), `eval traces` (trace-checks.ts) and the HTTP client (collector-client.ts)
// load the SDK and do I/O: import them from their files, so this barrel stays pure.
