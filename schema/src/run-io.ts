// What a run was asked and what it answered, for the trace summary: computed by the collector
// from the few spans it needs, so the viewer does not fetch them in full to work it out.
import { toChatMessage, toChatMessages } from './normalise/messages.ts';
import { parseJsonValue } from './normalise/values.ts';
import type { ChatMessage, Span } from './types.ts';

/** What runInputOutput reads of a span. */
export type RunIoSpan = Pick<Span, 'spanId' | 'parentSpanId' | 'kind' | 'startTime' | 'input' | 'output'>;

type IoCandidate = Pick<Span, 'spanId' | 'parentSpanId' | 'kind' | 'startTime'>;

/** The spans a run's input and output come from: the first root, and the first and last LLM calls. */
function ioSources<T extends IoCandidate>(spans: readonly T[]): { root: T | undefined; firstLlm: T | undefined; lastLlm: T | undefined } {
  const llms = spans.filter((s) => s.kind === 'llm').sort((a, b) => a.startTime - b.startTime);
  return { root: spans.find((s) => s.parentSpanId === null), firstLlm: llms[0], lastLlm: llms[llms.length - 1] };
}

/** The spans runInputOutput reads (each once), so a caller can fetch the contents of only those. */
export function runIoSpans<T extends IoCandidate>(spans: readonly T[]): T[] {
  const { root, firstLlm, lastLlm } = ioSources(spans);
  return [...new Set([root, firstLlm, lastLlm].filter((s) => s !== undefined))];
}

/**
 * The root span's own input and output when the client recorded them, else the user's question in
 * the first llm call and the assistant's text in the last one.
 */
export function runInputOutput(spans: readonly RunIoSpan[]): { input: string | null; output: string | null } {
  const { root, firstLlm, lastLlm } = ioSources(spans);
  const rootIn = root ? messagesOf(root.input) : null;
  const rootOut = root ? messagesOf(root.output) : null;
  const input = (rootIn ? lastText(rootIn, 'user') : asText(root?.input)) ?? lastText(messagesOf(firstLlm?.input), 'user');
  const output = (rootOut ? lastText(rootOut, 'assistant') : asText(root?.output)) ?? lastText(messagesOf(lastLlm?.output), 'assistant');
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
