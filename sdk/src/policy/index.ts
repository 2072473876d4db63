// Tool policy enforcement in the SDK (issue 10): the gate run.tool passes, where the policy
// comes from, and the errors the agent sees. Decisions come from the engine in @runlens/schema.
export { ApprovalRejectedError, ToolDeniedError } from './errors.ts';
export { DEFAULT_APPROVAL_POLL_MS, DEFAULT_APPROVAL_TIMEOUT_MS, PolicyGate, isDraftedToolCall } from './gate.ts';
export type { ApprovalRequest, ApprovalResponse, DraftedToolCall, GateOutcome, OnApproval, PolicyGateOptions, ToolCallContext } from './gate.ts';
export { DEFAULT_POLICY_REFRESH_MS, POLICY_REQUEST_TIMEOUT_MS, collectorFetch, policySource } from './source.ts';
export type { CollectorLink, PolicyOption, PolicySource } from './source.ts';
