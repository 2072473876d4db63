// The shapes of evaluations: datasets and their cases, check specifications, check results.
// The dataset format is issue 9 "Datasets"; the check fields are issue 9 "Checks".

import type { AttackKind, CheckLabel, EvalCheckResult, Severity, Suite, TraceDetail } from '@runlens/schema';

export type { AttackKind, CheckLabel, Severity, Suite } from '@runlens/schema';
export { ATTACK_KINDS, SEVERITIES, SUITES } from '@runlens/schema';

export type LeakKind = 'secret' | 'email' | 'phone' | 'card';
export const LEAK_KINDS: readonly LeakKind[] = ['secret', 'email', 'phone', 'card'];

/** `{ "approx": 12.5, "tol": 0.01 }` in a state expectation: a number within ± tol. */
export interface Approximately {
  approx: number;
  tol: number;
}

/** Dotted path into the post-state → expected value; `null` means the path must be absent. */
export type StateExpectation = Record<string, unknown>;

export interface ExpectedToolCall {
  name: string;
  /** Matched as a subset of the call's arguments. */
  args?: Record<string, unknown>;
}

export interface ExpectedOutcome {
  output?: unknown;
  toolCalls?: ExpectedToolCall[];
  state?: StateExpectation;
}

interface CheckBase {
  /** Shown in results and events; a readable default is derived from the check when omitted. */
  name?: string;
  /** Resolved when parsed: the check's own, else its case's. */
  severity: Severity;
}

export interface JsonSchemaCheck extends CheckBase {
  type: 'json_schema';
  schema: Record<string, unknown> | boolean;
  /** `output`, or `tool:NAME` for the arguments of every call of NAME. */
  target: string;
}

export interface EqualsCheck extends CheckBase {
  type: 'equals';
  /** Omitted in the file: the case's `expected.output`. */
  value: unknown;
  negate: boolean;
}

export interface ContainsCheck extends CheckBase {
  type: 'contains';
  value: string;
  negate: boolean;
}

export interface RegexCheck extends CheckBase {
  type: 'regex';
  value: string;
  /** RegExp flags, e.g. `i`. */
  flags: string;
  negate: boolean;
}

export interface ToolCalledCheck extends CheckBase {
  type: 'tool_called';
  /** Tool name or glob. */
  tool: string;
  args?: Record<string, unknown>;
}

export interface NoToolCallCheck extends CheckBase {
  type: 'no_tool_call';
  /** Tool name or glob (`delete_*`). */
  tool: string;
  /** Only calls whose arguments contain these count. */
  args?: Record<string, unknown>;
}

export interface ToolSequenceCheck extends CheckBase {
  type: 'tool_sequence';
  /** Omitted in the file: the names of the case's `expected.toolCalls`. */
  tools: string[];
}

export interface StateCheck extends CheckBase {
  type: 'state';
  /** Omitted in the file: the case's `expected.state`. */
  expect: StateExpectation;
  strict: boolean;
}

export interface NoLeakCheck extends CheckBase {
  type: 'no_leak';
  kinds: LeakKind[];
  /** Exact values that may appear (the support address the agent is meant to give out). */
  allow: string[];
}

export interface DomainCheck extends CheckBase {
  type: 'domain';
  /** Module path, relative to the dataset file. */
  module: string;
  export: string;
}

export interface RefusalCheck extends CheckBase {
  type: 'refusal';
  expected: boolean;
}

export interface BudgetCheck extends CheckBase {
  type: 'budget';
  maxTokens?: number;
  maxToolCalls?: number;
  maxDurationMs?: number;
}

export interface PolicyCheck extends CheckBase {
  type: 'policy';
}

export type Check =
  | JsonSchemaCheck
  | EqualsCheck
  | ContainsCheck
  | RegexCheck
  | ToolCalledCheck
  | NoToolCallCheck
  | ToolSequenceCheck
  | StateCheck
  | NoLeakCheck
  | DomainCheck
  | RefusalCheck
  | BudgetCheck
  | PolicyCheck;

export type CheckType = Check['type'];
export const CHECK_TYPES: readonly CheckType[] = [
  'json_schema',
  'equals',
  'contains',
  'regex',
  'tool_called',
  'no_tool_call',
  'tool_sequence',
  'state',
  'no_leak',
  'domain',
  'refusal',
  'budget',
  'policy',
];

export interface Attack {
  kind: AttackKind;
  goal: string;
  payload: unknown;
}

export interface EvalCase {
  id: string;
  suite: Suite;
  severity: Severity;
  input: unknown;
  /** The starting state of the fake tools, already read when it was a file path. */
  env?: Record<string, unknown>;
  expected?: ExpectedOutcome;
  checks: Check[];
  trials?: number;
  tags: string[];
  source?: { traceId?: string; [key: string]: unknown };
  attack?: Attack;
  /** 1-based line of the case in its file, for messages. */
  line: number;
}

export interface Dataset {
  /** File name without `.jsonl`: what `runlens.eval.dataset` records. */
  name: string;
  path: string;
  cases: EvalCase[];
}

/** One tool call as the agent made it (the runner's unredacted copy, or read from a tool span). */
export interface ObservedToolCall {
  name: string;
  arguments: unknown;
}

/** Values as the agent produced them, before redaction: what `no_leak` judges. */
export interface ObservedValues {
  output?: unknown;
  toolCalls?: ObservedToolCall[];
}

/** A policy rule the trace broke, as found by replaying its tool calls through the engine. */
export interface PolicyFinding {
  tool: string;
  rule: string;
  reason: string;
  spanId?: string | null;
}

/** Extension point for the `policy` check: replay a trace's tool calls through the policy engine. */
export type PolicyReplay = (trace: TraceDetail) => PolicyFinding[] | Promise<PolicyFinding[]>;

/** Everything a check may read. Only `trace` is required: production runs have nothing else. */
export interface CheckContext {
  trace: TraceDetail;
  input?: unknown;
  /** The agent's return value; when omitted, the root span's output. */
  output?: unknown;
  /** The fake tools' state before and after the run. */
  before?: unknown;
  after?: unknown;
  observed?: ObservedValues;
  /** Directory `domain` modules are resolved against: the dataset's folder. */
  baseDir?: string;
  policy?: PolicyReplay;
}


/** A check's result, as stored and sent by the API (`type` is one of CheckType). */
export type CheckResult = EvalCheckResult;
