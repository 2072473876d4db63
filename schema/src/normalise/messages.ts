// One converter from every chat-message shape the conventions carry to the GenAI form
// `{ role, parts: [...] }` (types.ts ChatMessage). Shapes seen in the wild:
// - GenAI `gen_ai.input.messages` / `output.messages`: `{ role, parts, name?, finish_reason? }`
// - OpenAI chat (Langfuse inputs, legacy `gen_ai.prompt`, OpenLLMetry content): `{ role, content, tool_calls?, tool_call_id? }`
//   with `content` a string or an array of `{ type: 'text', text }`, `{ type: 'image_url', … }`
// - Anthropic content blocks: `{ type: 'text' | 'thinking' | 'tool_use' | 'tool_result', … }`
// - Vercel AI SDK prompts: content parts `{ type: 'text' | 'reasoning' | 'tool-call' | 'tool-result' | 'file', … }`
import type { ChatMessage, MessagePart } from '../types.ts';
import { asRecord, asString, parseJsonValue } from './values.ts';

/** Converts a list of messages in any known shape; null when `value` is not such a list. */
export function toChatMessages(value: unknown): ChatMessage[] | null {
  if (!Array.isArray(value)) return null;
  const messages: ChatMessage[] = [];
  for (const item of value) {
    const message = toChatMessage(item);
    if (message === null) return null;
    messages.push(message);
  }
  return messages;
}

/** One message in any known shape; null when `value` has no role (then it is not a message). */
export function toChatMessage(value: unknown): ChatMessage | null {
  const record = asRecord(value);
  if (record === null) return null;
  const role = asString(record.role);
  if (role === null) return null;
  const parts: MessagePart[] = [];
  if (Array.isArray(record.parts)) {
    for (const part of record.parts) parts.push(toPart(part));
  } else {
    appendContent(parts, record.content, role, asString(record.tool_call_id));
  }
  appendOpenAiToolCalls(parts, record.tool_calls);
  const message: ChatMessage = { role, parts };
  const name = asString(record.name);
  if (name !== null) message.name = name;
  const finishReason = asString(record.finish_reason);
  if (finishReason !== null) message.finish_reason = finishReason;
  return message;
}

/** A text message, the shape plain-string prompts and completions become. */
export function textMessage(role: string, content: string): ChatMessage {
  return { role, parts: [{ type: 'text', content }] };
}

/**
 * Appends a message's `content`: a string (a tool message's string is its tool result), an array
 * of typed parts, or a single part object.
 */
export function appendContent(parts: MessagePart[], content: unknown, role: string, toolCallId: string | null): void {
  if (content === undefined || content === null) return;
  if (typeof content === 'string') {
    if (role === 'tool' || toolCallId !== null) {
      parts.push({ type: 'tool_call_response', id: toolCallId, response: parseJsonValue(content) });
    } else if (content !== '') {
      parts.push({ type: 'text', content });
    }
    return;
  }
  if (Array.isArray(content)) {
    for (const part of content) parts.push(typeof part === 'string' ? { type: 'text', content: part } : toPart(part));
    return;
  }
  parts.push(toPart(content));
}

/** OpenAI chat `tool_calls: [{ id, type: 'function', function: { name, arguments } }]`. */
function appendOpenAiToolCalls(parts: MessagePart[], toolCalls: unknown): void {
  if (!Array.isArray(toolCalls)) return;
  for (const call of toolCalls) {
    const record = asRecord(call);
    if (record === null) continue;
    const fn = asRecord(record.function);
    parts.push({
      type: 'tool_call',
      id: asString(record.id),
      name: asString(fn?.name ?? record.name) ?? '',
      arguments: parseJsonValue((fn?.arguments ?? record.arguments)),
    });
  }
}

/** One content part in any known dialect, as a GenAI part; unknown types are kept as generic parts. */
export function toPart(value: unknown): MessagePart {
  const part = asRecord(value);
  if (part === null) return { type: 'text', content: asString(value) ?? '' };
  const type = asString(part.type) ?? 'text';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', content: asString(part.content ?? part.text) ?? '' };
    case 'reasoning':
    case 'thinking':
      return { type: 'reasoning', content: asString(part.content ?? part.text ?? part.thinking) ?? '' };
    case 'tool_call': // GenAI
    case 'tool-call': // Vercel
    case 'tool_use': // Anthropic
    case 'function_call': // OpenAI responses
      return {
        type: 'tool_call',
        id: asString(part.id ?? part.toolCallId ?? part.call_id),
        name: asString(part.name ?? part.toolName) ?? '',
        arguments: parseJsonValue((part.arguments ?? part.input ?? part.args)),
      };
    case 'tool_call_response': // GenAI (`response`; some SDKs wrote `result`)
    case 'tool-result': // Vercel
    case 'tool_result': // Anthropic
    case 'function_call_output': // OpenAI responses
      return {
        type: 'tool_call_response',
        id: asString(part.id ?? part.toolCallId ?? part.tool_use_id ?? part.call_id),
        response: toolResponse(part.response ?? part.result ?? part.output ?? part.content),
      };
    default:
      return part as MessagePart;
  }
}

/** Vercel v5 wraps results as `{ type: 'json' | 'text', value }`; unwrap it, and parse JSON strings. */
function toolResponse(value: unknown): unknown {
  const record = asRecord(value);
  if (record !== null && (record.type === 'json' || record.type === 'text') && 'value' in record) return parseJsonValue(record.value);
  return parseJsonValue(value);
}

/**
 * For llm spans: messages from whatever was sent. A list of messages is converted, a string becomes
 * one message of `role`, a request body with `messages` yields those; anything else is returned
 * unchanged rather than lost.
 */
export function asMessagesOr(value: unknown, role: 'user' | 'assistant'): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return [textMessage(role, value)];
  const list = toChatMessages(value);
  if (list !== null) return list;
  const single = toChatMessage(value);
  if (single !== null) return [single];
  const record = asRecord(value);
  if (record !== null) {
    const nested = toChatMessages(record.messages);
    if (nested !== null) return nested;
  }
  return value;
}
