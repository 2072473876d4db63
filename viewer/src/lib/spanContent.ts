// What the span panel shows, derived from a span's untrusted contents: chat messages in the GenAI
// parts format, tool arguments and results as JSON, and the notable events. Everything here
// returns plain data that the components render as text.
import type { ChatMessage, MessagePart, SpanEvent } from '@runlens/schema';

/** A JSON string (tool arguments usually arrive as one) becomes its value; anything else is kept. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

function isMessage(value: unknown): value is { role: unknown; parts?: unknown; content?: unknown } {
  return typeof value === 'object' && value !== null && 'role' in value && typeof (value as { role: unknown }).role === 'string';
}

/**
 * The chat messages in a span's input or output, or null when it holds something else. Accepts
 * the GenAI parts format and the older `{role, content}` form.
 */
export function toChatMessages(value: unknown): ChatMessage[] | null {
  const parsed = parseMaybeJson(value);
  const list = Array.isArray(parsed) ? parsed : isMessage(parsed) ? [parsed] : null;
  if (!list || list.length === 0 || !list.every(isMessage)) return null;
  return list.map((m) => {
    const message = m as { role: string; parts?: unknown; content?: unknown; name?: unknown; finish_reason?: unknown };
    let parts: MessagePart[];
    if (Array.isArray(message.parts)) {
      parts = message.parts.filter((p): p is MessagePart => typeof p === 'object' && p !== null && typeof (p as { type?: unknown }).type === 'string');
    } else if (typeof message.content === 'string') {
      parts = [{ type: 'text', content: message.content }];
    } else if (message.content != null) {
      parts = [{ type: 'json', value: message.content }];
    } else {
      parts = [];
    }
    const result: ChatMessage = { role: message.role, parts };
    if (typeof message.name === 'string') result.name = message.name;
    if (typeof message.finish_reason === 'string') result.finish_reason = message.finish_reason;
    return result;
  });
}

/** A message part narrowed for display. */
export type DisplayPart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; name: string; id: string | null; arguments: unknown }
  | { kind: 'tool_result'; id: string | null; response: unknown }
  | { kind: 'other'; type: string; value: unknown };

export function displayPart(part: MessagePart): DisplayPart {
  const p = part as Record<string, unknown>;
  switch (part.type) {
    case 'text':
      return { kind: 'text', text: String(p.content ?? '') };
    case 'reasoning':
      return { kind: 'reasoning', text: String(p.content ?? '') };
    case 'tool_call':
      return { kind: 'tool_call', name: String(p.name ?? '?'), id: typeof p.id === 'string' ? p.id : null, arguments: parseMaybeJson(p.arguments) };
    case 'tool_call_response':
      // Some clients write `result` rather than the convention's `response`.
      return { kind: 'tool_result', id: typeof p.id === 'string' ? p.id : null, response: parseMaybeJson(p.response ?? p.result) };
    default: {
      const { type, ...rest } = p;
      return { kind: 'other', type: String(type), value: 'value' in rest && Object.keys(rest).length === 1 ? rest.value : rest };
    }
  }
}

export type EventTone = 'error' | 'warn' | 'info';

export interface NotableEvent {
  name: string;
  /** One line a person reads first: "escalated: customer asked for a human". */
  title: string;
  tone: EventTone;
  time: number;
  attributes: SpanEvent['attributes'];
}

/** Summaries of the events Runlens and OpenTelemetry define; others keep their name. */
export function describeEvent(event: SpanEvent): NotableEvent {
  const a = event.attributes;
  const s = (key: string) => (a[key] == null ? '' : typeof a[key] === 'string' ? (a[key] as string) : JSON.stringify(a[key]));
  let title = event.name;
  let tone: EventTone = 'info';
  switch (event.name) {
    case 'runlens.escalation':
      title = `Escalated to a human${s('reason') ? `: ${s('reason')}` : ''}`;
      tone = 'warn';
      break;
    case 'runlens.approval': {
      const decision = s('decision');
      title = `Approval ${decision || 'requested'}${s('action') ? ` for ${s('action')}` : ''}${s('approver') ? ` by ${s('approver')}` : ''}`;
      tone = /^(reject|rejected|refused|denied|deny)$/i.test(decision) ? 'error' : 'info';
      break;
    }
    case 'runlens.budget.exceeded':
      title = `Budget exceeded${s('budget') ? `: ${s('budget')}` : ''}${s('value') ? ` ${s('value')}` : ''}${s('limit') ? ` > limit ${s('limit')}` : ''}`;
      tone = 'error';
      break;
    case 'runlens.policy.violation':
      title = `Policy violation${s('rule') ? `: ${s('rule')}` : ''}${s('field') ? ` in ${s('field')}` : ''}`;
      tone = 'warn';
      break;
    case 'runlens.action.draft':
      title = `Held as draft${s('tool') ? `: ${s('tool')}` : ''}`;
      break;
    case 'exception':
      title = `${s('exception.type') || 'Exception'}${s('exception.message') ? `: ${s('exception.message')}` : ''}`;
      tone = 'error';
      break;
    case 'gen_ai.evaluation.result': {
      const label = s('gen_ai.evaluation.score.label');
      title = `Evaluation ${s('gen_ai.evaluation.name')}${label ? `: ${label}` : ''}`;
      tone = /^(fail|failed|incorrect)$/i.test(label) ? 'error' : 'info';
      break;
    }
  }
  return { name: event.name, title, tone, time: event.time, attributes: a };
}

/** Attribute values as one line of text for the raw attributes table. */
export function attributeText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

