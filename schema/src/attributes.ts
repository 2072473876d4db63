// Attribute and event names Runlens emits and reads. Every other package imports them from here.
// GenAI names follow the OpenTelemetry GenAI semantic conventions; `runlens.*` names are ours,
// used only where no convention exists (../shared/docs/design.md, "Attributes Runlens adds").

export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** Deprecated form of the provider name. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  conversationId: 'gen_ai.conversation.id',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  agentVersion: 'gen_ai.agent.version',
  promptName: 'gen_ai.prompt.name',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
  toolCallId: 'gen_ai.tool.call.id',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  toolDefinitions: 'gen_ai.tool.definitions',
  systemInstructions: 'gen_ai.system_instructions',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  evaluationResult: 'gen_ai.evaluation.result',
  evaluationName: 'gen_ai.evaluation.name',
  evaluationScoreValue: 'gen_ai.evaluation.score.value',
  evaluationScoreLabel: 'gen_ai.evaluation.score.label',
  evaluationExplanation: 'gen_ai.evaluation.explanation',
} as const;

export const GEN_AI_OPERATIONS = {
  chat: 'chat',
  textCompletion: 'text_completion',
  generateContent: 'generate_content',
  embeddings: 'embeddings',
  retrieval: 'retrieval',
  executeTool: 'execute_tool',
  invokeAgent: 'invoke_agent',
  createAgent: 'create_agent',
  invokeWorkflow: 'invoke_workflow',
} as const;

export const OTEL = {
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  userId: 'user.id',
  enduserId: 'enduser.id',
  sessionId: 'session.id',
  errorType: 'error.type',
  exceptionEvent: 'exception',
  exceptionType: 'exception.type',
  exceptionMessage: 'exception.message',
  exceptionStacktrace: 'exception.stacktrace',
} as const;

export const RUNLENS = {
  runOutcome: 'runlens.run.outcome',
  /** Prefix of free-form run metadata set by the SDK: `runlens.metadata.<key>`. */
  metadataPrefix: 'runlens.metadata.',
  versionPrompt: 'runlens.version.prompt',
  versionPolicy: 'runlens.version.policy',
  costUsd: 'runlens.cost.usd',
  /** Stamped by the collector on spans that arrived with an ingest key. */
  identity: 'runlens.identity',
  policyDecision: 'runlens.policy.decision',
  policyRule: 'runlens.policy.rule',
  policyVersion: 'runlens.policy.version',
  evalExperiment: 'runlens.eval.experiment',
  evalDataset: 'runlens.eval.dataset',
  evalCase: 'runlens.eval.case',
  evalSuite: 'runlens.eval.suite',
  evalTrial: 'runlens.eval.trial',
  evalCheckType: 'runlens.eval.check.type',
  evalCheckSeverity: 'runlens.eval.check.severity',
} as const;

export const RUNLENS_EVENTS = {
  escalation: 'runlens.escalation',
  approval: 'runlens.approval',
  budgetExceeded: 'runlens.budget.exceeded',
  policyViolation: 'runlens.policy.violation',
  actionDraft: 'runlens.action.draft',
} as const;
