// OpenInference (Arize-ai/openinference spec/semantic_conventions.md): `openinference.span.kind`,
// `llm.*` with flattened message lists (`llm.input_messages.N.message.role`), `input.value` /
// `output.value`, `tool.name`, `llm.cost.*`, `agent.name`, `llm.prompt_template.version`.
import type { Attributes, ChatMessage, MessagePart, SpanKind } from '../types.ts';
import type { ReadContext, SpanFields } from './fields.ts';
import { appendContent, textMessage, toChatMessage } from './messages.ts';
import { asNumber, asRecord, asString, asTokenCount, parseJsonValue, unflattenIndexed, type FlatEntry } from './values.ts';

const SPAN_KINDS: Record<string, SpanKind> = {
  LLM: 'llm',
  TOOL: 'tool',
  AGENT: 'agent',
  CHAIN: 'chain',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  GUARDRAIL: 'guardrail',
  EVALUATOR: 'other',
  PROMPT: 'chain',
};

/** Kind from `openinference.span.kind`; null when absent or UNKNOWN. */
export function openInferenceKind(attributes: Attributes): SpanKind | null {
  const kind = asString(attributes['openinference.span.kind']);
  return kind === null ? null : (SPAN_KINDS[kind.toUpperCase()] ?? null);
}

export function readOpenInference(context: ReadContext, fields: SpanFields): void {
  const { index } = context;
  const a = index.attributes;
  fields.model ??=
    asString(a['llm.response.model_name']) ?? asString(a['llm.model_name']) ?? asString(a['llm.request.model_name']) ?? asString(a['embedding.model_name']);
  // llm.provider is who hosts and bills (azure), llm.system the model family (openai): price by the host.
  fields.provider ??= asString(a['llm.provider']) ?? asString(a['llm.system']);
  fields.inputTokens ??= asTokenCount(a['llm.token_count.prompt']);
  fields.outputTokens ??= asTokenCount(a['llm.token_count.completion']);
  fields.cachedTokens ??= asTokenCount(a['llm.token_count.prompt_details.cache_read']);
  fields.cacheWriteTokens ??= asTokenCount(a['llm.token_count.prompt_details.cache_write']);
  fields.costUsd ??= asNumber(a['llm.cost.total']) ?? sumOrNull(asNumber(a['llm.cost.prompt']), asNumber(a['llm.cost.completion']));
  fields.toolName ??= asString(a['tool.name']);
  fields.finishReason ??= asString(a['llm.finish_reason']);
  fields.agentName ??= asString(a['agent.name']);
  fields.promptVersion ??= asString(a['llm.prompt_template.version']);

  if (fields.input === undefined) {
    if (index.oiInputMessages !== null) fields.input = messagesFromFlat(index.oiInputMessages);
    else if (index.oiPrompts !== null) fields.input = completionTexts(unflattenIndexed(index.oiPrompts), 'user', 'prompt');
    else if (a['input.value'] !== undefined) fields.input = readValue(a['input.value'], a['input.mime_type']);
  }
  if (fields.output === undefined) {
    if (index.oiOutputMessages !== null) fields.output = messagesFromFlat(index.oiOutputMessages);
    else if (index.oiChoices !== null) fields.output = completionTexts(unflattenIndexed(index.oiChoices), 'assistant', 'completion');
    else if (a['output.value'] !== undefined) fields.output = readValue(a['output.value'], a['output.mime_type']);
  }
}

function sumOrNull(x: number | null, y: number | null): number | null {
  return x === null && y === null ? null : (x ?? 0) + (y ?? 0);
}

/** `input.value` is JSON when its mime type says so; other values are still parsed when they are JSON. */
function readValue(value: Attributes[string], mimeType: Attributes[string] | undefined): unknown {
  if (mimeType === 'text/plain') return value;
  return parseJsonValue(value);
}

/** Messages from the flattened `N.message.*` keys. */
function messagesFromFlat(entries: FlatEntry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const item of unflattenIndexed(entries)) {
    const message = asRecord(asRecord(item)?.message);
    if (message !== null) messages.push(toMessage(message));
  }
  return messages;
}

/**
 * One OpenInference message: `role`, `content` or `contents[].message_content`, `tool_calls[].tool_call`,
 * `tool_call_id`, `name`, and the older `function_call_name` / `function_call_arguments_json`.
 */
function toMessage(m: Record<string, unknown>): ChatMessage {
  const role = asString(m.role) ?? 'user';
  const toolCallId = asString(m.tool_call_id);
  const parts: MessagePart[] = [];
  if (Array.isArray(m.contents)) {
    for (const item of m.contents) {
      const content = asRecord(asRecord(item)?.message_content);
      if (content !== null) parts.push(contentPart(content));
    }
  } else {
    appendContent(parts, m.content, role, toolCallId);
  }
  if (Array.isArray(m.tool_calls)) {
    for (const item of m.tool_calls) {
      const call = asRecord(asRecord(item)?.tool_call);
      if (call === null) continue;
      const fn = asRecord(call.function);
      parts.push({ type: 'tool_call', id: asString(call.id), name: asString(fn?.name) ?? '', arguments: parseJsonValue(fn?.arguments) });
    }
  }
  const functionName = asString(m.function_call_name);
  if (functionName !== null) parts.push({ type: 'tool_call', id: null, name: functionName, arguments: parseJsonValue(m.function_call_arguments_json) });
  const message: ChatMessage = { role, parts };
  const name = asString(m.name);
  if (name !== null) message.name = name;
  return message;
}

/** `message_content`: `{ type: text | reasoning | image | audio | video | tool_use, text, image: { image: { url } } … }`. */
function contentPart(content: Record<string, unknown>): MessagePart {
  const type = asString(content.type) ?? 'text';
  if (type === 'text' || type === 'reasoning') return { type, content: asString(content.text) ?? '' };
  const media = asRecord(content[type]);
  const url = asString(asRecord(media?.[type])?.url);
  if (url !== null) return { type: 'uri', modality: type, uri: url };
  const converted = toChatMessage({ role: 'assistant', content: [content] });
  return converted?.parts[0] ?? { type };
}

/** Legacy completions API: `llm.prompts.N.prompt.text` / `llm.choices.N.completion.text`. */
function completionTexts(list: unknown[], role: string, key: 'prompt' | 'completion'): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const item of list) {
    const text = asString(asRecord(asRecord(item)?.[key])?.text);
    if (text !== null) messages.push(textMessage(role, text));
  }
  return messages;
}
