// Plain functions over the response objects of OpenAI chat completions, the OpenAI responses
// API and Anthropic messages: usage, model, finish reasons and output as GenAI messages.
// Duck-typed, so the SDK does not depend on either client package.
import type { ChatMessage, MessagePart } from '@runlens/schema';
import { parseJsonArguments, toPart } from './messages.ts';

/** What an llm call's response tells us; every field is optional. */
export interface LlmResponseInfo {
  responseModel?: string;
  responseId?: string;
  /** Includes cached and cache-creation tokens (GenAI convention). */
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  cacheCreationTokens?: number;
  finishReasons?: string[];
  outputMessages?: ChatMessage[];
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Finish reasons in the GenAI spelling (`tool_calls` → `tool_call`, Anthropic's names mapped). */
export function normaliseFinishReason(reason: string): string {
  switch (reason) {
    case 'tool_calls':
    case 'tool-calls':
    case 'function_call':
    case 'tool_use':
      return 'tool_call';
    case 'end_turn':
    case 'stop_sequence':
    case 'completed':
      return 'stop';
    case 'max_tokens':
    case 'max_output_tokens':
      return 'length';
    case 'content-filter':
    case 'refusal':
      return 'content_filter';
    default:
      return reason;
  }
}

function withoutUndefined(info: LlmResponseInfo): LlmResponseInfo {
  for (const key of Object.keys(info) as Array<keyof LlmResponseInfo>) if (info[key] === undefined) delete info[key];
  return info;
}

export function isOpenAIChatCompletion(value: unknown): value is Loose {
  return isObject(value) && (value.object === 'chat.completion' || (Array.isArray(value.choices) && !('output' in value)));
}

export function isOpenAIResponse(value: unknown): value is Loose {
  return isObject(value) && (value.object === 'response' || (Array.isArray(value.output) && isObject(value.usage)));
}

export function isAnthropicMessage(value: unknown): value is Loose {
  return isObject(value) && value.type === 'message' && Array.isArray(value.content);
}

/** OpenAI `chat.completions.create` result. */
export function readOpenAIChatCompletion(response: unknown): LlmResponseInfo {
  if (!isObject(response)) return {};
  const usage = isObject(response.usage) ? response.usage : {};
  const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const choices = Array.isArray(response.choices) ? response.choices.filter(isObject) : [];
  const finishReasons: string[] = [];
  const outputMessages: ChatMessage[] = [];
  for (const choice of choices) {
    const reason = str(choice.finish_reason);
    if (reason) finishReasons.push(normaliseFinishReason(reason));
    const message = isObject(choice.message) ? choice.message : {};
    const parts: MessagePart[] = [];
    if (typeof message.content === 'string' && message.content !== '') parts.push({ type: 'text', content: message.content });
    if (typeof message.refusal === 'string') parts.push({ type: 'refusal', content: message.refusal });
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls.filter(isObject)) {
        const fn = isObject(call.function) ? call.function : {};
        parts.push({ type: 'tool_call', id: str(call.id) ?? null, name: String(fn.name ?? ''), arguments: parseJsonArguments(fn.arguments) });
      }
    }
    const out: ChatMessage = { role: str(message.role) ?? 'assistant', parts };
    if (reason) out.finish_reason = normaliseFinishReason(reason);
    outputMessages.push(out);
  }
  return withoutUndefined({
    responseModel: str(response.model),
    responseId: str(response.id),
    inputTokens: num(usage.prompt_tokens),
    outputTokens: num(usage.completion_tokens),
    cachedTokens: num(details.cached_tokens),
    finishReasons: finishReasons.length ? finishReasons : undefined,
    outputMessages: outputMessages.length ? outputMessages : undefined,
  });
}

/** OpenAI `responses.create` result. */
export function readOpenAIResponse(response: unknown): LlmResponseInfo {
  if (!isObject(response)) return {};
  const usage = isObject(response.usage) ? response.usage : {};
  const details = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const parts: MessagePart[] = [];
  for (const item of Array.isArray(response.output) ? response.output.filter(isObject) : []) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const block of item.content.filter(isObject)) {
        parts.push(block.type === 'refusal' ? { type: 'refusal', content: String(block.refusal ?? '') } : toPart(block));
      }
    } else if (item.type === 'reasoning') {
      const summary = Array.isArray(item.summary) ? item.summary.filter(isObject).map((s) => String(s.text ?? '')) : [];
      if (summary.length) parts.push({ type: 'reasoning', content: summary.join('\n') });
    } else {
      parts.push(toPart(item));
    }
  }
  const incomplete = isObject(response.incomplete_details) ? str(response.incomplete_details.reason) : undefined;
  let finish: string | undefined;
  if (incomplete) finish = normaliseFinishReason(incomplete);
  else if (parts.some((part) => part.type === 'tool_call')) finish = 'tool_call';
  else if (response.status === 'completed') finish = 'stop';
  else finish = str(response.status);
  const message: ChatMessage = { role: 'assistant', parts };
  if (finish) message.finish_reason = finish;
  return withoutUndefined({
    responseModel: str(response.model),
    responseId: str(response.id),
    inputTokens: num(usage.input_tokens),
    outputTokens: num(usage.output_tokens),
    cachedTokens: num(details.cached_tokens),
    finishReasons: finish ? [finish] : undefined,
    outputMessages: parts.length ? [message] : undefined,
  });
}

/** Anthropic `messages.create` result. Its input_tokens exclude cache reads and writes: add them back. */
export function readAnthropicMessage(response: unknown): LlmResponseInfo {
  if (!isObject(response)) return {};
  const usage = isObject(response.usage) ? response.usage : {};
  const uncached = num(usage.input_tokens);
  const cacheRead = num(usage.cache_read_input_tokens);
  const cacheCreation = num(usage.cache_creation_input_tokens);
  const inputTokens = uncached === undefined ? undefined : uncached + (cacheRead ?? 0) + (cacheCreation ?? 0);
  const stop = str(response.stop_reason);
  const finish = stop ? normaliseFinishReason(stop) : undefined;
  const parts = Array.isArray(response.content) ? response.content.map(toPart) : [];
  const message: ChatMessage = { role: str(response.role) ?? 'assistant', parts };
  if (finish) message.finish_reason = finish;
  return withoutUndefined({
    responseModel: str(response.model),
    responseId: str(response.id),
    inputTokens,
    outputTokens: num(usage.output_tokens),
    cachedTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    finishReasons: finish ? [finish] : undefined,
    outputMessages: parts.length ? [message] : undefined,
  });
}

/** Reads whichever of the three shapes `response` has; `{}` for anything else (e.g. a stream). */
export function readLlmResponse(response: unknown): LlmResponseInfo {
  if (isAnthropicMessage(response)) return readAnthropicMessage(response);
  if (isOpenAIResponse(response)) return readOpenAIResponse(response);
  if (isOpenAIChatCompletion(response)) return readOpenAIChatCompletion(response);
  return {};
}
