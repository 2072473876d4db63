// A stored run as a dataset case (issue 9, "Production back into the suite"): its input, the
// tool calls it made and its output become the expected values, `source.traceId` says where it
// came from. The one implementation behind `runlens dataset add --from-trace` and the viewer's
// "copy as dataset line" (GET /api/runs/:traceId/dataset-line).

import type { TraceDetail } from '@runlens/schema';
import { finalOutput, parseJsonText, rootSpan, toolCalls } from './checks/trace-view.ts';

export interface DatasetLineOptions {
  /** The case id; default `trace-<first 12 hex of the trace id>`. */
  id?: string;
  suite?: 'golden' | 'adversarial';
}

/**
 * A run's input or output as the agent saw it: one chat message with one text part is its text
 * (parsed back when it is JSON text of an object, which is how the SDK sends object inputs).
 */
export function unwrapMessages(value: unknown): unknown {
  const parsed = parseJsonText(value);
  if (!Array.isArray(parsed) || parsed.length !== 1) return parsed ?? null;
  const message = parsed[0] as { role?: unknown; parts?: Array<{ type?: unknown; content?: unknown }> };
  if (typeof message?.role !== 'string' || !Array.isArray(message.parts) || message.parts.length !== 1) return parsed;
  const part = message.parts[0]!;
  if (part.type !== 'text' || typeof part.content !== 'string') return parsed;
  const text = part.content;
  const inner = parseJsonText(text);
  return inner !== text && typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner : text;
}

export function datasetCaseFromTrace(trace: TraceDetail, options: DatasetLineOptions = {}): Record<string, unknown> {
  const root = rootSpan(trace);
  const calls = toolCalls(trace).map((call) => ({
    name: call.name,
    ...(call.arguments !== null && typeof call.arguments === 'object' && !Array.isArray(call.arguments) ? { args: call.arguments } : {}),
  }));
  const output = unwrapMessages(finalOutput({ trace }));
  const checks: Array<Record<string, unknown>> = [];
  // The observed calls in order; the output as is: a starting point the user trims.
  if (calls.length > 0) checks.push({ type: 'tool_sequence' });
  else checks.push({ type: 'no_tool_call', tool: '*' });
  if (output !== null) checks.push({ type: 'equals', severity: 'minor' });
  checks.push({ type: 'no_leak', kinds: ['secret', 'card'], severity: 'critical' });
  return {
    id: options.id ?? `trace-${trace.run.traceId.slice(0, 12)}`,
    suite: options.suite ?? 'golden',
    severity: 'major',
    input: unwrapMessages(root?.input ?? null),
    expected: { ...(output !== null ? { output } : {}), toolCalls: calls },
    checks,
    tags: ['from-production', ...(trace.run.name ? [trace.run.name] : [])],
    source: { traceId: trace.run.traceId },
  };
}

/** The case as one JSONL line (no trailing newline). */
export function datasetLineFromTrace(trace: TraceDetail, options: DatasetLineOptions = {}): string {
  return JSON.stringify(datasetCaseFromTrace(trace, options));
}
