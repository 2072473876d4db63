// What a run was asked and what it answered, for the trace summary: computed by the collector
// from the few spans it needs, so the viewer does not fetch them in full to work it out.
import { toChatMessage, toChatMessages } from './normalise/messages.ts';
import { parseJsonValue } from './normalise/values.ts';
import type { ChatMessage, Span } from './types.ts';

/** What runInputOutput reads of a span. */
export type RunIoSpan = Pick<Span, 'spanId' | 'parentSpanId' | 'kind' | 'startTime' | 'input' | 'output'>;

/** The spans runInputOutput reads: the first root, and the first and last LLM calls (ids, deduplicated). */
export function runIoSpanIds(spans: readonly Pick<Span, 'spanId' | 'parentSpanId' | 'kind' | 'startTime'>[]): string[] {
  const root = spans.find((s) => s.parentSpanId === null);
  const llms = spans.filter((s) => s.kind === 'llm').sort((a, b) => a.startTime - b.startTime);
  return [...new Set([root, llms[0], llms[llms.length - 1]].filter((s) => s !== undefined).map((s) => s.spanId))];
}

/**
 * The root span's own input and output when the client recorded them, else the user's question in
 * the first llm call and the assistant's text in the last one.
 */
export function runInputOutput(spans: readonly RunIoSpan[]): { input: string | null; output: string | null } {
  const root = spans.find((s) => s.parentSpanId === null) ?? null;
  const llms = spans.filter((s) => s.kind === 'llm').sort((a, b) => a.startTime - b.startTime);
  const rootIn = root ? messagesOf(root.input) : null;
  const rootOut = root ? messagesOf(root.output) : null;
  const input = (rootIn ? lastText(rootIn, 'user') : asText(root?.input)) ?? lastText(messagesOf(llms[0]?.input), 'user');
  const output = (rootOut ? lastText(rootOut, 'assistant') : asText(root?.output)) ?? lastText(messagesOf(llms[llms.length - 1]?.output), 'assistant');
  return { input, output };
}

/** A list of messages, or one message, in any shape the normaliser knows; null otherwise. */
function messagesOf(value: unknown): ChatMessage[] | null {
  const parsed = parseJsonValue(value);
  if (Array.isArray(parsed)) return parsed.length > 0 ? toChatMessages(parsed) : null;
  const one = toChatMessage(parsed);
  return one ? [one] : null;
}

/** The text of the last message with `role` that has any text parts. */
function lastText(messages: ChatMessage[] | null, role: string): string | null {
  if (!messages) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== role) continue;
    const text = m.parts
      .filter((p) => p.type === 'text')
      .map((p) => String((p as { content?: unknown }).content ?? ''))
      .join('\n');
    if (text) return text;
  }
  return null;
}

function asText(value: unknown): string | null {
  if (value == null || value === '') return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
