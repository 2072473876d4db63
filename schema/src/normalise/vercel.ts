// Vercel AI SDK telemetry, `ai.*` form (v3–v6, and v7 legacy mode; vercel/ai
// content/docs/03-ai-sdk-core/60-telemetry.mdx). v7's default GenAI-style spans are read by genai.ts.
// Spans: `ai.generateText` / `streamText` / `generateObject` / `streamObject` (the call, repeating the
// usage of its steps), `….doGenerate` / `….doStream` (one LLM call), `ai.toolCall`, `ai.embed*`.
import type { Attributes, ChatMessage, MessagePart, SpanKind } from '../types.ts';
import type { ReadContext, SpanFields } from './fields.ts';
import { textMessage, toChatMessages } from './messages.ts';
import { asRecord, asString, asTokenCount, parseJsonValue } from './values.ts';

const CALL_OPERATIONS = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);

/** `ai.operationId`, or the span name when it is an `ai.*` name. */
function operationOf(attributes: Attributes, spanName: string): string | null {
  return asString(attributes['ai.operationId']) ?? (spanName.startsWith('ai.') ? spanName : null);
}

/** Kind from `ai.operationId` or the span name; null for other spans. */
export function vercelKind(attributes: Attributes, spanName: string): SpanKind | null {
  const operation = operationOf(attributes, spanName);
  if (operation === null) return null;
  if (operation.endsWith('.doGenerate') || operation.endsWith('.doStream')) return 'llm';
  if (operation.endsWith('.doEmbed')) return 'embedding';
  if (operation === 'ai.toolCall') return 'tool';
  if (CALL_OPERATIONS.has(operation)) return 'agent';
  if (operation === 'ai.embed' || operation === 'ai.embedMany') return 'chain';
  return null;
}

/** `openai.chat` → `openai`: the AI SDK names a provider with its API after a dot. */
export function vercelProvider(value: unknown): string | null {
  const provider = asString(value);
  if (provider === null) return null;
  const dot = provider.indexOf('.');
  return dot === -1 ? provider : provider.slice(0, dot);
}

export function readVercel(context: ReadContext, fields: SpanFields): void {
  const { index, span, kind } = context;
  const a = index.attributes;
  fields.model ??= asString(a['ai.response.model']) ?? asString(a['ai.model.id']);
  fields.provider ??= vercelProvider(a['ai.model.provider']) ?? vercelProvider(a['gen_ai.system']);
  fields.inputTokens ??= asTokenCount(a['ai.usage.inputTokens']) ?? asTokenCount(a['ai.usage.promptTokens']) ?? asTokenCount(a['ai.usage.tokens']);
  fields.outputTokens ??= asTokenCount(a['ai.usage.outputTokens']) ?? asTokenCount(a['ai.usage.completionTokens']);
  fields.cachedTokens ??= asTokenCount(a['ai.usage.cachedInputTokens']);
  fields.toolName ??= asString(a['ai.toolCall.name']);
  fields.finishReason ??= asString(a['ai.response.finishReason']) ?? asString(a['ai.finishReason']);
  fields.agentName ??= asString(a['ai.telemetry.functionId']);
  fields.userId ??= asString(a['ai.telemetry.metadata.userId']) ?? asString(a['ai.telemetry.metadata.user_id']);
  fields.sessionId ??= asString(a['ai.telemetry.metadata.sessionId']) ?? asString(a['ai.telemetry.metadata.session_id']);
  fields.promptVersion ??= asString(a['ai.telemetry.metadata.promptVersion']) ?? asString(a['ai.telemetry.metadata.prompt_version']);

  if (kind === 'tool') {
    const args = a['ai.toolCall.args'] ?? a['ai.toolCall.input'];
    if (fields.input === undefined && args !== undefined) fields.input = parseJsonValue(args);
    const result = a['ai.toolCall.result'] ?? a['ai.toolCall.output'];
    if (fields.output === undefined && result !== undefined) fields.output = parseJsonValue(result);
    return;
  }
  if (fields.input === undefined) {
    if (a['ai.prompt.messages'] !== undefined) fields.input = toChatMessages(parseJsonValue(a['ai.prompt.messages'])) ?? parseJsonValue(a['ai.prompt.messages']);
    else if (a['ai.prompt'] !== undefined) fields.input = callPrompt(a['ai.prompt']);
    else if (a['ai.values'] !== undefined || a['ai.value'] !== undefined) fields.input = parseJsonValue(a['ai.values'] ?? a['ai.value']);
  }
  if (fields.output === undefined && operationOf(a, span.name) !== null) {
    const message = responseMessage(a, fields.finishReason);
    if (message !== null) fields.output = [message];
  }
}

/** `ai.prompt` of a call span: `{ system?, prompt?, messages? }` (prompt a string or a message list). */
function callPrompt(value: Attributes[string]): unknown {
  const parsed = parseJsonValue(value);
  const prompt = asRecord(parsed);
  if (prompt === null) return typeof parsed === 'string' ? [textMessage('user', parsed)] : parsed;
  const messages: ChatMessage[] = [];
  const system = asString(prompt.system);
  if (system !== null) messages.push(textMessage('system', system));
  if (typeof prompt.prompt === 'string') messages.push(textMessage('user', prompt.prompt));
  else messages.push(...(toChatMessages(prompt.prompt) ?? []));
  messages.push(...(toChatMessages(prompt.messages) ?? []));
  return messages.length > 0 ? messages : parsed;
}

/** The assistant message of `ai.response.{text,reasoning,toolCalls,object}` (`ai.result.*` before v4). */
function responseMessage(a: Attributes, finishReason: string | null): ChatMessage | null {
  const parts: MessagePart[] = [];
  const reasoning = asString(a['ai.response.reasoning']);
  if (reasoning !== null) parts.push({ type: 'reasoning', content: reasoning });
  const text = asString(a['ai.response.text'] ?? a['ai.result.text']);
  if (text !== null) parts.push({ type: 'text', content: text });
  const object = asString(a['ai.response.object'] ?? a['ai.result.object']);
  if (object !== null) parts.push({ type: 'text', content: object });
  const calls = parseJsonValue(a['ai.response.toolCalls'] ?? a['ai.result.toolCalls']);
  if (Array.isArray(calls)) {
    for (const item of calls) {
      const call = asRecord(item);
      if (call === null) continue;
      parts.push({
        type: 'tool_call',
        id: asString(call.toolCallId),
        name: asString(call.toolName) ?? '',
        arguments: parseJsonValue((call.input ?? call.args)),
      });
    }
  }
  if (parts.length === 0) return null;
  const message: ChatMessage = { role: 'assistant', parts };
  if (finishReason !== null) message.finish_reason = finishReason;
  return message;
}
