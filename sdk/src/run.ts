// One agent run: the `invoke_agent {name}` span, its llm and tool calls, escalations, approvals
// and budget. The run travels in the OpenTelemetry context, so nested runs, wrapped clients and
// code deep inside a tool find it without being handed it.
import {
  context,
  createContextKey,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { GEN_AI, GEN_AI_OPERATIONS, OTEL, RUNLENS, RUNLENS_EVENTS, type ChatMessage } from '@runlens/schema';
import { BudgetLedger, validateBudgets, type BudgetBreach, type Budgets } from './budget.ts';
import type { Clock, Versions } from './config.ts';
import { redactForSpan, setContent, toContentString, type ContentPolicy } from './content.ts';
import { priceOfCall } from './cost.ts';
import { BudgetExceededError } from './errors.ts';
import { toGenAiMessages, toSystemInstructions } from './messages.ts';
import { readLlmResponse, type LlmResponseInfo } from './response-shapes.ts';
import { ApprovalRejectedError } from './policy/errors.ts';
import { ACTIONS_DISABLED_EVENT, type AutonomySwitch, type ToolHint } from './autonomy.ts';
import type { PolicyGate } from './policy/gate.ts';

const RUN_KEY = createContextKey('runlens.run');

/** What a client gives each run: where spans go, what to capture, the defaults. */
export interface RunRuntime {
  tracer: Tracer;
  content: ContentPolicy;
  versions: Versions;
  budgets: Budgets;
  clock: Clock | null;
  /** The tool policy gate (init({ policy })); null without a policy. */
  policy?: PolicyGate | null;
  /** The kill switch (autonomy level polled from the collector); null when off. */
  autonomy?: AutonomySwitch | null;
  /** Tool hints of init({ tools }): which tools only read. */
  tools?: Record<string, ToolHint>;
}

export interface RunOptions {
  /** The initiating user (`user.id`). */
  userId?: string;
  /** Session or conversation (`gen_ai.conversation.id`). */
  sessionId?: string;
  /** What the run was asked: a string, chat messages, or any JSON value. */
  input?: unknown;
  /** Free-form facts about the run, sent as `runlens.metadata.<key>`. */
  metadata?: Record<string, unknown>;
  /** Overrides the client's versions for this run. */
  versions?: Versions;
  /** Overrides the client's budgets for this run (per cap). */
  budgets?: Budgets;
  /** Extra attributes of the root span, sent as given (e.g. `runlens.eval.*` set by `runlens eval`). */
  attributes?: Attributes;
}

export type GenAiOperation = 'chat' | 'text_completion' | 'generate_content';

export interface LlmRequest {
  model: string;
  /** GenAI provider name: `openai`, `anthropic`, `aws.bedrock`, `gcp.gemini`… */
  provider?: string;
  /** The prompt: OpenAI chat messages, Anthropic messages, responses-API input or GenAI messages. */
  messages?: unknown;
  /** Instructions given apart from the messages (Anthropic `system`, responses `instructions`). */
  system?: unknown;
  operation?: GenAiOperation;
  temperature?: number;
  maxTokens?: number;
}

/** Values of an llm call stated by the agent; each wins over what is read from the response. */
export interface LlmResult extends LlmResponseInfo {
  /** Cost in USD computed by the agent; sent as `runlens.cost.usd`. */
  costUsd?: number;
  /** The answer: a string or messages in any supported shape. */
  output?: unknown;
}

/** Handed to the function of `run.llm`: the span, and a way to state usage explicitly. */
export interface LlmCall {
  readonly span: Span;
  record(result: LlmResult): void;
}

export interface ToolOptions {
  /** The id the model gave this tool call (`gen_ai.tool.call.id`). */
  callId?: string;
  /** The tool only reads: the one kind a policy gate lets run while no policy is known (fail closed). */
  readOnly?: boolean;
}

export interface ApprovalOptions {
  approver: string;
  /** e.g. `approved`, `rejected`. */
  decision: string;
}

export interface RunUsage {
  llmCalls: number;
  toolCalls: number;
  tokens: number;
  costUsd: number;
  elapsedMs: number;
}

export type RunOutcomeValue = 'success' | 'failure' | 'escalated' | 'budget_exceeded';

const runOfLedger = new WeakMap<BudgetLedger, AgentRun>();

/** The run active in the current async context, if any. */
export function currentRun(): AgentRun | undefined {
  return context.active().getValue(RUN_KEY) as AgentRun | undefined;
}

/** The handle a run's function receives. */
export class AgentRun {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly #runtime: RunRuntime;
  readonly #span: Span;
  readonly #ledger: BudgetLedger;
  readonly #providers = new Set<string>();
  #llmCalls = 0;
  #escalated = false;
  #output: { value: unknown } | null = null;
  #userId: string | null = null;

  private constructor(name: string, runtime: RunRuntime, span: Span, ledger: BudgetLedger) {
    this.name = name;
    this.#runtime = runtime;
    this.#span = span;
    this.#ledger = ledger;
    const spanContext = span.spanContext();
    this.traceId = spanContext.traceId;
    this.spanId = spanContext.spanId;
    runOfLedger.set(ledger, this);
  }

  /** Starts a run under the active context (nested when a run is already active) and ends it. */
  static async start<T>(
    runtime: RunRuntime,
    name: string,
    options: RunOptions,
    fn: (run: AgentRun) => Promise<T> | T,
  ): Promise<T> {
    // The kill switch: under `off` no run starts.
    if (runtime.autonomy) await runtime.autonomy.checkRun();
    const parentContext = context.active();
    const parent = parentContext.getValue(RUN_KEY) as AgentRun | undefined;
    const budgets = { ...runtime.budgets, ...validateBudgets(options.budgets, `run('${name}')`) };
    const versions = { ...runtime.versions, ...options.versions };
    const attributes: Attributes = {
      [GEN_AI.operationName]: GEN_AI_OPERATIONS.invokeAgent,
      [GEN_AI.agentName]: name,
    };
    if (options.userId !== undefined) attributes[OTEL.userId] = options.userId;
    if (options.sessionId !== undefined) attributes[GEN_AI.conversationId] = options.sessionId;
    if (versions.prompt !== undefined) attributes[RUNLENS.versionPrompt] = versions.prompt;
    if (versions.policy !== undefined) attributes[RUNLENS.versionPolicy] = versions.policy;
    else if (runtime.policy?.knownVersion()) attributes[RUNLENS.versionPolicy] = runtime.policy.knownVersion()!;
    for (const [key, value] of Object.entries(options.attributes ?? {})) if (value !== undefined) attributes[key] = value;
    const span = runtime.tracer.startSpan(
      `${GEN_AI_OPERATIONS.invokeAgent} ${name}`,
      { kind: SpanKind.INTERNAL, attributes, startTime: spanClock(runtime).now() },
      parentContext,
    );
    const ledger = new BudgetLedger(budgets, parent ? parent.#ledger : null, now(runtime));
    const run = new AgentRun(name, runtime, span, ledger);
    run.#userId = options.userId ?? (parent ? parent.#userId : null);
    run.#setMetadata(options.metadata);
    setContent(span, GEN_AI.inputMessages, runInputMessages(options.input), runtime.content);

    const runContext = trace.setSpan(parentContext, span).setValue(RUN_KEY, run);
    try {
      const value = await context.with(runContext, () => fn(run));
      run.#end(null, value);
      return value;
    } catch (error) {
      run.#end(error, undefined);
      throw error;
    }
  }

  /** The initiating user (`user.id`), inherited by nested runs. */
  get userId(): string | null {
    return this.#userId;
  }

  /** Money, tokens, calls and time spent by this run so far (nested runs included). */
  get usage(): RunUsage {
    return {
      llmCalls: this.#llmCalls,
      toolCalls: this.#ledger.toolCalls,
      tokens: this.#ledger.tokens,
      costUsd: this.#ledger.costUsd,
      elapsedMs: now(this.#runtime) - this.#ledger.startedAt,
    };
  }

  /** The run's answer, when it is not simply the function's return value. */
  setOutput(output: unknown): void {
    this.#output = { value: output };
  }

  /**
   * One llm call as a `chat {model}` span. Budgets are checked before (a closed run does not
   * call the model) and after, once usage is known (an answer past a cap is withheld).
   */
  async llm<T>(request: LlmRequest, call: (llm: LlmCall) => Promise<T> | T): Promise<T> {
    this.#checkBudget(this.#ledger.checkBeforeLlm(now(this.#runtime)));
    const runtime = this.#runtime;
    const operation = request.operation ?? GEN_AI_OPERATIONS.chat;
    const attributes: Attributes = {
      [GEN_AI.operationName]: operation,
      [GEN_AI.requestModel]: request.model,
    };
    if (request.provider !== undefined) {
      attributes[GEN_AI.providerName] = request.provider;
      this.#providers.add(request.provider);
    }
    if (request.temperature !== undefined) attributes[GEN_AI.requestTemperature] = request.temperature;
    if (request.maxTokens !== undefined) attributes[GEN_AI.requestMaxTokens] = request.maxTokens;
    const span = runtime.tracer.startSpan(
      `${operation} ${request.model}`,
      { kind: SpanKind.CLIENT, attributes, startTime: spanClock(runtime).now() },
      context.active(),
    );
    this.#llmCalls++;
    if (request.system !== undefined) {
      setContent(span, GEN_AI.systemInstructions, toSystemInstructions(request.system), runtime.content);
    }
    if (request.messages !== undefined) {
      setContent(span, GEN_AI.inputMessages, toGenAiMessages(request.messages), runtime.content);
    }

    let recorded: LlmResult = {};
    const handle: LlmCall = {
      span,
      record: (result) => {
        recorded = { ...recorded, ...result };
      },
    };
    let response: T;
    try {
      response = await context.with(trace.setSpan(context.active(), span), () => call(handle));
    } catch (error) {
      recordError(span, error, runtime.content);
      endSpan(span, runtime);
      throw error;
    }
    const info: LlmResult = { ...readLlmResponse(response), ...definedOnly(recorded) };
    this.#recordLlmResult(span, info);
    endSpan(span, runtime);

    const tokens = (info.inputTokens ?? 0) + (info.outputTokens ?? 0);
    const cost =
      info.costUsd ??
      priceOfCall({
        model: info.responseModel ?? request.model,
        provider: request.provider ?? null,
        inputTokens: info.inputTokens ?? null,
        outputTokens: info.outputTokens ?? null,
        cachedTokens: info.cachedTokens ?? null,
        cacheWriteTokens: info.cacheCreationTokens ?? null,
      }) ??
      // A price lookup keyed by the requested name when the dated response model is unknown.
      (info.responseModel && info.responseModel !== request.model
        ? priceOfCall({
            model: request.model,
            provider: request.provider ?? null,
            inputTokens: info.inputTokens ?? null,
            outputTokens: info.outputTokens ?? null,
            cachedTokens: info.cachedTokens ?? null,
            cacheWriteTokens: info.cacheCreationTokens ?? null,
          })
        : null);
    this.#checkBudget(this.#ledger.chargeLlm(tokens, cost, request.model, now(runtime)));
    return response;
  }

  /**
   * One tool call as an `execute_tool {name}` span. The call that would pass a budget cap does
   * not run. No check after it ran: its side effects happened, the next call is the one refused.
   * Under init({ policy }) the policy decides first: a refused call throws ToolDeniedError, a
   * gated one waits for approval (ApprovalRejectedError), and a drafted one resolves to
   * `{ status: 'drafted', draftId }` without running `fn` (check with `isDraftedToolCall`).
   */
  async tool<A, T>(name: string, args: A, fn: (args: A) => Promise<T> | T, options: ToolOptions = {}): Promise<T> {
    this.#checkBudget(this.#ledger.checkBeforeTool(now(this.#runtime)));
    this.#ledger.countToolCall();
    const runtime = this.#runtime;
    const attributes: Attributes = {
      [GEN_AI.operationName]: GEN_AI_OPERATIONS.executeTool,
      [GEN_AI.toolName]: name,
      [GEN_AI.toolType]: 'function',
    };
    if (options.callId !== undefined) attributes[GEN_AI.toolCallId] = options.callId;
    const span = runtime.tracer.startSpan(
      `${GEN_AI_OPERATIONS.executeTool} ${name}`,
      { kind: SpanKind.INTERNAL, attributes, startTime: spanClock(runtime).now() },
      context.active(),
    );
    setContent(span, GEN_AI.toolCallArguments, args, runtime.content);
    try {
      // The kill switch decides first: under read-only a tool not marked readOnly never runs.
      const refusal = runtime.autonomy?.refusal(name, options.readOnly ?? runtime.tools?.[name]?.readOnly ?? false);
      if (refusal) {
        span.setAttribute(RUNLENS.policyDecision, 'deny');
        span.setAttribute(RUNLENS.policyRule, 'autonomy');
        span.addEvent(ACTIONS_DISABLED_EVENT, { tool: name, level: refusal.level, service: refusal.service });
        throw refusal;
      }
      // The policy decides before the tool runs: refused and drafted calls never reach fn.
      if (runtime.policy) {
        const gate = await runtime.policy.beforeTool({
          tool: name,
          args,
          span,
          traceId: this.traceId,
          runName: this.name,
          userId: this.#userId,
          readOnly: (options.readOnly ?? runtime.tools?.[name]?.readOnly) === true,
          callId: options.callId ?? null,
          // The run records the policy version it ran under (unless versions.policy was given).
          recordVersion: (version) => runtime.versions.policy === undefined && this.#span.setAttribute(RUNLENS.versionPolicy, version),
        });
        if (gate.drafted) return gate.drafted as T;
      }
      const result = await context.with(trace.setSpan(context.active(), span), () => fn(args));
      setContent(span, GEN_AI.toolCallResult, result, runtime.content);
      return result;
    } catch (error) {
      if (error instanceof ApprovalRejectedError) this.#escalated = true;
      recordError(span, error, runtime.content);
      throw error;
    } finally {
      endSpan(span, runtime);
    }
  }

  /** Hands the run to a human: a `runlens.escalation` event; the run's outcome is `escalated`. */
  escalate(reason: string): void {
    this.#escalated = true;
    const span = this.#activeSpan();
    span.addEvent(RUNLENS_EVENTS.escalation, {
      reason: redactForSpan(span, 'runlens.escalation.reason', reason, this.#runtime.content.rules),
    });
  }

  /** An approval gate passed or refused: a `runlens.approval` event. */
  approval(action: string, options: ApprovalOptions): void {
    this.#activeSpan().addEvent(RUNLENS_EVENTS.approval, {
      action,
      approver: options.approver,
      decision: options.decision,
    });
  }

  /** The innermost span of this run in the active context (a tool or llm span), else the root. */
  #activeSpan(): Span {
    const active = context.active();
    if (active.getValue(RUN_KEY) === this) return trace.getSpan(active) ?? this.#span;
    return this.#span;
  }

  #setMetadata(metadata: Record<string, unknown> | undefined): void {
    if (!metadata) return;
    for (const [key, value] of Object.entries(metadata)) {
      if (value === undefined) continue;
      const attribute = `${RUNLENS.metadataPrefix}${key}`;
      if (typeof value === 'number' || typeof value === 'boolean') this.#span.setAttribute(attribute, value);
      else this.#span.setAttribute(attribute, redactForSpan(this.#span, attribute, toContentString(value), this.#runtime.content.rules));
    }
  }

  #recordLlmResult(span: Span, info: LlmResult): void {
    if (info.responseModel !== undefined) span.setAttribute(GEN_AI.responseModel, info.responseModel);
    if (info.responseId !== undefined) span.setAttribute(GEN_AI.responseId, info.responseId);
    if (info.inputTokens !== undefined) span.setAttribute(GEN_AI.usageInputTokens, info.inputTokens);
    if (info.outputTokens !== undefined) span.setAttribute(GEN_AI.usageOutputTokens, info.outputTokens);
    if (info.cachedTokens !== undefined) span.setAttribute(GEN_AI.usageCacheReadInputTokens, info.cachedTokens);
    if (info.cacheCreationTokens !== undefined) {
      span.setAttribute(GEN_AI.usageCacheCreationInputTokens, info.cacheCreationTokens);
    }
    if (info.finishReasons !== undefined) span.setAttribute(GEN_AI.responseFinishReasons, info.finishReasons);
    if (info.costUsd !== undefined) span.setAttribute(RUNLENS.costUsd, info.costUsd);
    const output = info.output !== undefined ? outputMessages(info.output, info.finishReasons) : info.outputMessages;
    if (output !== undefined) setContent(span, GEN_AI.outputMessages, output, this.#runtime.content);
  }

  /** Records a breach (once per capped run) and throws: fail closed. */
  #checkBudget(breach: BudgetBreach | null): void {
    if (!breach) return;
    const { error, ledger, fresh } = breach;
    if (fresh) {
      const owner = runOfLedger.get(ledger) ?? this;
      const attributes: Attributes = { budget: error.budget, limit: error.limit };
      attributes.value = error.value ?? 'unknown';
      owner.#span.addEvent(RUNLENS_EVENTS.budgetExceeded, attributes);
    }
    throw error;
  }

  #end(error: unknown, value: unknown): void {
    const span = this.#span;
    let outcome: RunOutcomeValue;
    if (error instanceof BudgetExceededError || this.#ledger.exceeded) outcome = 'budget_exceeded';
    else if (error instanceof ApprovalRejectedError) outcome = 'escalated';
    else if (error !== null) outcome = 'failure';
    else if (this.#escalated) outcome = 'escalated';
    else outcome = 'success';
    span.setAttribute(RUNLENS.runOutcome, outcome);
    if (this.#providers.size === 1) span.setAttribute(GEN_AI.providerName, [...this.#providers][0]!);
    if (error !== null) {
      recordError(span, error, this.#runtime.content);
    } else {
      const output = this.#output ? this.#output.value : value;
      setContent(span, GEN_AI.outputMessages, runOutputMessages(output), this.#runtime.content);
    }
    endSpan(span, this.#runtime);
  }
}

function now(runtime: RunRuntime): number {
  return runtime.clock ? runtime.clock.now() : Date.now();
}

/**
 * Epoch milliseconds with sub-millisecond precision. OpenTelemetry stamps a span's start with
 * Date.now() (whole milliseconds), which ties sibling spans started in the same millisecond and
 * loses their order; every span is started and ended on this clock instead.
 */
const PRECISE_CLOCK: Clock = { now: () => performance.timeOrigin + performance.now() };

function spanClock(runtime: RunRuntime): Clock {
  return runtime.clock ?? PRECISE_CLOCK;
}

function endSpan(span: Span, runtime: RunRuntime): void {
  span.end(spanClock(runtime).now());
}

function definedOnly<T extends object>(value: T): Partial<T> {
  const result: Partial<T> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) (result as Record<string, unknown>)[key] = item;
  return result;
}

/** `error.type`: the error's class name, low-cardinality as the conventions ask. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== 'Error') return error.name;
    return error.constructor?.name || 'Error';
  }
  return typeof error;
}

/** Status ERROR with the (redacted) message, `error.type`, and an `exception` event. */
export function recordError(span: Span, error: unknown, policy: ContentPolicy): void {
  const rules = policy.rules;
  const message = redactForSpan(span, OTEL.exceptionMessage, error instanceof Error ? error.message : String(error), rules);
  const type = errorTypeOf(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(OTEL.errorType, type);
  const event: Attributes = { [OTEL.exceptionType]: type, [OTEL.exceptionMessage]: message };
  if (error instanceof Error && error.stack) {
    event[OTEL.exceptionStacktrace] = redactForSpan(span, OTEL.exceptionStacktrace, error.stack, rules);
  }
  span.addEvent(OTEL.exceptionEvent, event);
}

const looksLikeMessages = (value: unknown): boolean =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'object' && item !== null && 'role' in item);

/** A run's input as GenAI messages: a string or messages as they are, anything else as JSON text. */
function runInputMessages(input: unknown): ChatMessage[] | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'string' || looksLikeMessages(input)) return toGenAiMessages(input);
  return [{ role: 'user', parts: [{ type: 'text', content: toContentString(input) }] }];
}

function runOutputMessages(output: unknown): ChatMessage[] | undefined {
  if (output === undefined) return undefined;
  if (looksLikeMessages(output)) return toGenAiMessages(output);
  return [{ role: 'assistant', parts: [{ type: 'text', content: toContentString(output) }] }];
}

function outputMessages(output: unknown, finishReasons: string[] | undefined): ChatMessage[] {
  const messages =
    typeof output === 'string'
      ? [{ role: 'assistant', parts: [{ type: 'text', content: output }] } as ChatMessage]
      : toGenAiMessages(output);
  const reason = finishReasons?.[0];
  if (reason !== undefined) for (const message of messages) message.finish_reason ??= reason;
  return messages;
}
