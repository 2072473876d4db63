// What checks read from a stored trace: the root span, the final output, the tool calls.

import { RUNLENS_EVENTS } from '@runlens/schema';
import type { Span, TraceDetail } from '@runlens/schema';
import type { CheckContext, ObservedToolCall } from '../types.ts';

export interface TraceToolCall extends ObservedToolCall {
  result: unknown;
  spanId: string;
  status: Span['status'];
}

/** The span with no parent in the trace (the earliest, if a client sent several). */
export function rootSpan(trace: TraceDetail): Span | null {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  let root: Span | null = null;
  for (const span of trace.spans) {
    const isRoot = span.parentSpanId === null || !ids.has(span.parentSpanId);
    if (isRoot && (root === null || span.startTime < root.startTime)) root = span;
  }
  return root;
}

/** The output under judgement: the agent's return value when the runner has it, else the root span's. */
export function finalOutput(context: CheckContext): unknown {
  if (context.output !== undefined) return context.output;
  return rootSpan(context.trace)?.output ?? null;
}

/**
 * Every tool span in start order. A call the policy refused still counts: the agent tried it,
 * and that attempt is what an injection check is about.
 */
export function toolCalls(trace: TraceDetail): TraceToolCall[] {
  return trace.spans
    .map((span, index) => ({ span, index }))
    .filter(({ span }) => span.kind === 'tool')
    .sort((a, b) => a.span.startTime - b.span.startTime || a.index - b.index)
    .map(({ span }) => ({
      name: span.toolName ?? span.name,
      arguments: parseJsonText(span.input),
      result: parseJsonText(span.output),
      spanId: span.spanId,
      status: span.status,
    }));
}

/** Clients often send structured values as JSON text; read it back when it is an object or array. */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/**
 * Output as text for the text checks: a string as is; chat messages as their text parts, one
 * per line; anything else as JSON.
 */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output === null || output === undefined) return '';
  if (Array.isArray(output) && output.length > 0 && output.every(isChatMessage)) {
    return output
      .flatMap((message) => message.parts)
      .filter((part): part is { type: 'text'; content: string } => part.type === 'text' && typeof part.content === 'string')
      .map((part) => part.content)
      .join('\n');
  }
  return JSON.stringify(output);
}

function isChatMessage(value: unknown): value is { role: string; parts: Array<{ type: string; content?: unknown }> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { role?: unknown }).role === 'string' &&
    Array.isArray((value as { parts?: unknown }).parts)
  );
}

/** The run was handed to a human: the run says so, or any span carries an escalation event. */
export function wasEscalated(trace: TraceDetail): boolean {
  if (trace.run.escalated || trace.run.outcome === 'escalated') return true;
  return trace.spans.some((span) => span.events.some((event) => event.name === RUNLENS_EVENTS.escalation));
}

/** Total tokens: the run's count, or the llm spans' sum if the run row lags behind its spans. */
export function totalTokens(trace: TraceDetail): number {
  let fromSpans = 0;
  for (const span of trace.spans) fromSpans += (span.inputTokens ?? 0) + (span.outputTokens ?? 0);
  return Math.max(trace.run.inputTokens + trace.run.outputTokens, fromSpans);
}
