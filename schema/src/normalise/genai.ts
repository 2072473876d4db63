// OpenTelemetry GenAI conventions, current and deprecated forms (conventions.md "GenAI conventions").
// Current: gen_ai.operation.name, gen_ai.provider.name, gen_ai.usage.*, gen_ai.input/output.messages,
// gen_ai.system_instructions, gen_ai.tool.call.*, and the `gen_ai.client.inference.operation.details`
// event. Deprecated: gen_ai.system, usage prompt/completion_tokens, gen_ai.prompt / gen_ai.completion,
// message events gen_ai.{system,user,assistant,tool}.message / gen_ai.choice, span events
// gen_ai.content.prompt / gen_ai.content.completion, and span-name prefixes instead of an operation.
import { GEN_AI } from '../attributes.ts';
import type { OtlpEvent } from '../otlp.ts';
import type { Attributes, ChatMessage, MessagePart, SpanKind } from '../types.ts';
import type { ReadContext, SpanFields } from './fields.ts';
import { textMessage, toChatMessage, toChatMessages, toPart } from './messages.ts';
import { asRecord, asString, asTokenCount, firstString, parseJsonValue } from './values.ts';

const OPERATION_KINDS: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  plan: 'agent',
  invoke_workflow: 'chain',
  agent_step: 'chain',
  embeddings: 'embedding',
  retrieval: 'retrieval',
  apply_guardrail: 'guardrail',
};

/** Kind from `gen_ai.operation.name`; null when absent or not a known operation. */
export function genAiKind(attributes: Attributes): SpanKind | null {
  const operation = asString(attributes[GEN_AI.operationName]);
  return operation === null ? null : (OPERATION_KINDS[operation] ?? null);
}

/** Kind from a span named `{operation} {target}` (older GenAI instrumentations set no operation attribute). */
export function genAiKindFromSpanName(name: string): SpanKind | null {
  const space = name.indexOf(' ');
  return OPERATION_KINDS[space === -1 ? name : name.slice(0, space)] ?? null;
}

const INFERENCE_DETAILS_EVENT = 'gen_ai.client.inference.operation.details';
const MESSAGE_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

export function readGenAi(context: ReadContext, fields: SpanFields): void {
  const { index, span, kind } = context;
  const a = index.attributes;
  fields.model ??= asString(a[GEN_AI.responseModel]) ?? asString(a[GEN_AI.requestModel]);
  // Vercel's legacy spans put `openai.chat`-style ids in gen_ai.system; its reader strips the suffix.
  fields.provider ??= asString(a[GEN_AI.providerName]) ?? (index.vercel ? null : asString(a[GEN_AI.system]));
  fields.inputTokens ??= asTokenCount(a[GEN_AI.usageInputTokens]) ?? asTokenCount(a['gen_ai.usage.prompt_tokens']);
  fields.outputTokens ??= asTokenCount(a[GEN_AI.usageOutputTokens]) ?? asTokenCount(a['gen_ai.usage.completion_tokens']);
  // OpenLLMetry spells the cache counts with underscores instead of the convention's dot.
  fields.cachedTokens ??= asTokenCount(a[GEN_AI.usageCacheReadInputTokens]) ?? asTokenCount(a['gen_ai.usage.cache_read_input_tokens']);
  fields.cacheWriteTokens ??=
    asTokenCount(a[GEN_AI.usageCacheCreationInputTokens]) ?? asTokenCount(a['gen_ai.usage.cache_creation_input_tokens']);
  fields.toolName ??= asString(a[GEN_AI.toolName]);
  fields.agentName ??= asString(a[GEN_AI.agentName]);
  fields.sessionId ??= asString(a[GEN_AI.conversationId]);

  if (kind === 'tool') {
    if (fields.input === undefined && a[GEN_AI.toolCallArguments] !== undefined) fields.input = parseJsonValue(a[GEN_AI.toolCallArguments]);
    if (fields.output === undefined && a[GEN_AI.toolCallResult] !== undefined) fields.output = parseJsonValue(a[GEN_AI.toolCallResult]);
  }
  if (fields.input === undefined) fields.input = inputMessages(a) ?? deprecatedMessages(a['gen_ai.prompt'], 'user');
  if (fields.output === undefined) {
    const output = toChatMessages(parseJsonValue(a[GEN_AI.outputMessages]));
    if (output !== null) fields.output = output;
    else if (a['gen_ai.completion'] !== undefined) fields.output = deprecatedMessages(a['gen_ai.completion'], 'assistant');
  }
  if ((fields.input === undefined || fields.output === undefined) && span.events.length > 0) readMessageEvents(span.events, fields);

  fields.finishReason ??= firstString(a[GEN_AI.responseFinishReasons]) ?? finishReasonOf(fields.output);
}

/** `gen_ai.system_instructions` as a leading system message, then `gen_ai.input.messages`. */
function inputMessages(a: Attributes): ChatMessage[] | undefined {
  const messages = toChatMessages(parseJsonValue(a[GEN_AI.inputMessages]));
  const system = systemMessage(a[GEN_AI.systemInstructions]);
  if (messages === null) return system === null ? undefined : [system];
  return system === null ? messages : [system, ...messages];
}

function systemMessage(value: Attributes[string] | undefined): ChatMessage | null {
  if (value === undefined) return null;
  const parsed = parseJsonValue(value);
  const parts: MessagePart[] = [];
  if (Array.isArray(parsed)) for (const part of parsed) parts.push(toPart(part));
  else if (typeof parsed === 'string') parts.push({ type: 'text', content: parsed });
  else parts.push(toPart(parsed));
  return { role: 'system', parts };
}

/** Deprecated `gen_ai.prompt` / `gen_ai.completion`: a JSON list of chat messages, or plain text. */
function deprecatedMessages(value: Attributes[string] | undefined, role: 'user' | 'assistant'): ChatMessage[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseJsonValue(value);
  const messages = toChatMessages(parsed);
  if (messages !== null) return messages;
  const text = asString(parsed);
  return text === null ? undefined : [textMessage(role, text)];
}

/** Message content carried by span events (deprecated forms, and the current details event). */
function readMessageEvents(events: OtlpEvent[], fields: SpanFields): void {
  let input: ChatMessage[] | null = null;
  let output: ChatMessage[] | null = null;
  for (const event of events) {
    const name = event.name;
    if (!name.startsWith('gen_ai.')) continue;
    const attrs = event.attributes;
    const role = MESSAGE_EVENT_ROLES[name];
    if (role !== undefined) {
      const message = messageFromEvent(role, attrs);
      if (message !== null) (input ??= []).push(message);
    } else if (name === 'gen_ai.choice') {
      const message = choiceFromEvent(attrs);
      if (message !== null) (output ??= []).push(message);
    } else if (name === 'gen_ai.content.prompt') {
      const messages = deprecatedMessages(attrs['gen_ai.prompt'], 'user');
      if (messages !== undefined) (input ??= []).push(...messages);
    } else if (name === 'gen_ai.content.completion') {
      const messages = deprecatedMessages(attrs['gen_ai.completion'], 'assistant');
      if (messages !== undefined) (output ??= []).push(...messages);
    } else if (name === INFERENCE_DETAILS_EVENT) {
      const messages = inputMessages(attrs);
      if (messages !== undefined) (input ??= []).push(...messages);
      const outputs = toChatMessages(parseJsonValue(attrs[GEN_AI.outputMessages]));
      if (outputs !== null) (output ??= []).push(...outputs);
    }
  }
  if (fields.input === undefined && input !== null) fields.input = input;
  if (fields.output === undefined && output !== null) fields.output = output;
}

/**
 * A `gen_ai.{role}.message` event. As a log record its fields are in the body; as a span event they
 * are attributes (`content`, `tool_calls`, `id`), or one JSON attribute `gen_ai.event.content`.
 */
function messageFromEvent(role: string, attrs: Attributes): ChatMessage | null {
  const packed = asRecord(parseJsonValue(attrs['gen_ai.event.content']));
  const source: Record<string, unknown> = packed ?? attrs;
  return toChatMessage({
    role: asString(source.role) ?? role,
    content: parseContent(source.content),
    tool_calls: parseJsonValue(source.tool_calls),
    tool_call_id: source.id ?? source.tool_call_id,
  });
}

/** A `gen_ai.choice` event: `{ index, finish_reason, message: { role, content, tool_calls } }`. */
function choiceFromEvent(attrs: Attributes): ChatMessage | null {
  const packed = asRecord(parseJsonValue(attrs['gen_ai.event.content']));
  const source: Record<string, unknown> = packed ?? attrs;
  const message = asRecord(parseJsonValue(source.message)) ?? source;
  const converted = toChatMessage({
    role: asString(message.role) ?? 'assistant',
    content: parseContent(message.content),
    tool_calls: parseJsonValue(message.tool_calls),
  });
  const finishReason = asString(source.finish_reason);
  if (converted !== null && finishReason !== null) converted.finish_reason = finishReason;
  return converted;
}

/** Content that is a JSON list of parts is parsed; plain text stays text. */
function parseContent(content: unknown): unknown {
  const parsed = parseJsonValue(content);
  return Array.isArray(parsed) ? parsed : content;
}

function finishReasonOf(output: unknown): string | null {
  if (!Array.isArray(output)) return null;
  for (const message of output as ChatMessage[]) if (message.finish_reason) return message.finish_reason;
  return null;
}
