// The tool-policy engine (issue 10): one implementation shared by the SDK, the collector,
// `runlens policy` and the evaluation `policy` check. Pure: no I/O beyond parsing given text.
export type {
  ApprovalMatch,
  ApprovalRequirement,
  ApprovalRule,
  Autonomy,
  ArgumentComparison,
  ComparisonOperator,
  ArgumentCondition,
  Decision,
  EndpointRule,
  IdentityPolicy,
  Policy,
  PolicyDecisionKind,
  PolicyError,
  PolicyResult,
  ConditionValue,
  PolicyToolCall,
  ToolEntry,
  ToolHints,
  ToolRule,
} from './types.ts';
export { AUTONOMY_LEVELS, COMPARISON_OPERATORS, WORST_CASE_HINTS } from './types.ts';
export { loadPolicyObject, parsePolicy } from './parse.ts';
export { describeCondition, evaluateCondition, MAX_PATTERN_LENGTH } from './condition.ts';
export { compileGlob, isGlob, HOST_SEPARATORS, PATH_SEPARATORS, TOOL_SEPARATORS } from './glob.ts';
export { parseDuration } from './duration.ts';
export type { HttpCall } from './decide.ts';
export { catalogueEntry, decide, readHttpCall, toolHints } from './decide.ts';
export type { ApprovalContext, ApprovalJudgement, ApprovalTally, ApprovalVerdict, ApprovalVote, CountedVote } from './approval.ts';
export { approverRole, collectApprovals, judgeApproval } from './approval.ts';
export type { LintFinding } from './lint.ts';
export { lintPolicy } from './lint.ts';
export type { PolicyRow, RowDecision } from './describe.ts';
export { describeIdentity } from './describe.ts';
export type { ReplayResult, ReplayViolation, ReplayViolationKind, StoredToolCall } from './replay.ts';
export { replayToolCall } from './replay.ts';
