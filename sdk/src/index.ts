// Public surface of @runlens/sdk. Exports are listed by name; types with `export type`.
export { RunlensClient, init, run, shutdown } from './client.ts';
export type { RunFunction } from './client.ts';
export { AgentRun, currentRun, errorTypeOf } from './run.ts';
export type {
  ApprovalOptions,
  GenAiOperation,
  LlmCall,
  LlmRequest,
  LlmResult,
  RunOptions,
  RunOutcomeValue,
  RunUsage,
  ToolOptions,
} from './run.ts';
export type { Budgets } from './budget.ts';
export type { Clock, InitOptions, Versions } from './config.ts';
export { resolveTracesUrl } from './config.ts';
export { ActionsDisabledError, BudgetExceededError, RunlensConfigError, RunlensNotInitializedError } from './errors.ts';
export { ACTIONS_DISABLED_EVENT, AUTONOMY_REQUEST_TIMEOUT_MS, AutonomySwitch, DEFAULT_AUTONOMY_POLL_MS } from './autonomy.ts';
export type { AutonomyInitOptions, AutonomyLevel, AutonomyOptions, ToolHint } from './autonomy.ts';
export type { BudgetName } from './errors.ts';
export type { ExportStats } from './export.ts';
export {
  normaliseFinishReason,
  readAnthropicMessage,
  readLlmResponse,
  readOpenAIChatCompletion,
  readOpenAIResponse,
} from './response-shapes.ts';
export type { LlmResponseInfo } from './response-shapes.ts';
export { toGenAiMessages } from './messages.ts';
export { wrapOpenAI } from './wrappers/openai.ts';
export type { WrapOpenAIOptions } from './wrappers/openai.ts';
export { wrapAnthropic } from './wrappers/anthropic.ts';
export type { WrapAnthropicOptions } from './wrappers/anthropic.ts';
// The in-memory exporter, so tests (ours and users') can assert on the spans a run produced.
export { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
export type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
export { createTestClient } from './testing.ts';
export { ApprovalRejectedError, ToolDeniedError, isDraftedToolCall } from './policy/index.ts';
export type { ApprovalRequest, ApprovalResponse, DraftedToolCall, OnApproval, PolicyOption } from './policy/index.ts';
export { policyTools } from './adapters/vercel-ai.ts';
export type { PolicyToolsOptions } from './adapters/vercel-ai.ts';
export type { TestClient } from './testing.ts';
