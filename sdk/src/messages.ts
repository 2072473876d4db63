// Turns the message shapes agents already hold (OpenAI chat, OpenAI responses input, Anthropic
// messages, or GenAI parts) into the GenAI parts format of `gen_ai.input.messages`.
import type { ChatMessage, MessagePart } from '@runlens/schema';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Tool-call arguments arrive as JSON text from OpenAI; keep the object when it parses. */
export function parseJsonArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** One content block of any supported API as a GenAI part. */
export function toPart(block: unknown): MessagePart {
  if (typeof block === 'string') return { type: 'text', content: block };
  if (!isObject(block)) return { type: 'text', content: String(block) };
  switch (block.type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', content: String(block.text ?? block.content ?? '') };
    case 'thinking':
    case 'reasoning':
      return { type: 'reasoning', content: String(block.thinking ?? block.content ?? block.text ?? '') };
    case 'tool_use': // Anthropic
      return { type: 'tool_call', id: asId(block.id), name: String(block.name), arguments: block.input };
    case 'function_call': // OpenAI responses
      return { type: 'tool_call', id: asId(block.call_id ?? block.id), name: String(block.name), arguments: parseJsonArguments(block.arguments) };
    case 'tool_result': // Anthropic
      return { type: 'tool_call_response', id: asId(block.tool_use_id), response: flattenContent(block.content) };
    case 'function_call_output': // OpenAI responses
      return { type: 'tool_call_response', id: asId(block.call_id), response: block.output };
    case 'tool_call':
    case 'tool_call_response':
      return block as MessagePart;
    default:
      return { ...block, type: typeof block.type === 'string' ? block.type : 'unknown' };
  }
}

function asId(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Anthropic tool results hold a string or text blocks; keep the text. */
function flattenContent(content: unknown): unknown {
  if (Array.isArray(content) && content.every((item) => isObject(item) && item.type === 'text')) {
    return content.map((item) => String((item as Loose).text ?? '')).join('');
  }
  return content;
}

function contentParts(content: unknown): MessagePart[] {
  if (content === undefined || content === null) return [];
  if (Array.isArray(content)) return content.map(toPart);
  return [toPart(content)];
}

/** One message of any supported shape as a GenAI message. */
export function toGenAiMessage(message: unknown): ChatMessage {
  if (typeof message === 'string') return { role: 'user', parts: [{ type: 'text', content: message }] };
  if (!isObject(message)) return { role: 'user', parts: [{ type: 'text', content: String(message) }] };
  // Already in GenAI form.
  if (Array.isArray(message.parts) && typeof message.role === 'string') return message as unknown as ChatMessage;
  // OpenAI responses input items that are not messages (function calls and their outputs).
  if (message.type === 'function_call') return { role: 'assistant', parts: [toPart(message)] };
  if (message.type === 'function_call_output') return { role: 'tool', parts: [toPart(message)] };
  const role = typeof message.role === 'string' ? message.role : 'user';
  // OpenAI chat tool result.
  if (role === 'tool' && typeof message.tool_call_id === 'string') {
    return { role, parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }] };
  }
  const parts = contentParts(message.content);
  // OpenAI chat assistant tool calls.
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      parts.push({ type: 'tool_call', id: asId(call.id), name: String(fn.name ?? ''), arguments: parseJsonArguments(fn.arguments) });
    }
  }
  const result: ChatMessage = { role: role === 'developer' ? 'system' : role, parts };
  if (typeof message.name === 'string') result.name = message.name;
  return result;
}

/** A prompt (a string, or an array of messages in any supported shape) as GenAI messages. */
export function toGenAiMessages(messages: unknown): ChatMessage[] {
  if (messages === undefined || messages === null) return [];
  if (Array.isArray(messages)) return messages.map(toGenAiMessage);
  return [toGenAiMessage(messages)];
}

/** System instructions (a string, or Anthropic system blocks) as GenAI parts. */
export function toSystemInstructions(system: unknown): MessagePart[] {
  return contentParts(system);
}
