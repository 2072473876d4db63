// Builders of TraceDetail values for the evaluation tests: a root agent span plus whatever
// llm and tool spans a test needs, shaped like the collector's GET /api/runs/:traceId answer.

import type { Run, Span, TraceDetail } from '@runlens/schema';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

export function makeSpan(fields: Partial<Span> & { spanId: string }): Span {
  return {
    traceId: TRACE_ID,
    parentSpanId: null,
    name: fields.toolName ?? 'span',
    kind: 'other',
    startTime: 1_700_000_000_000,
    durationMs: 1,
    status: 'ok',
    statusMessage: null,
    service: 'support-agent',
    model: null,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    costUsd: null,
    toolName: null,
    input: null,
    output: null,
    finishReason: null,
    errorType: null,
    attributes: {},
    events: [],
    ...fields,
  };
}

export function makeRun(fields: Partial<Run> = {}): Run {
  return {
    traceId: TRACE_ID,
    name: 'support',
    service: 'support-agent',
    agent: 'support',
    userId: null,
    sessionId: null,
    versions: { model: null, prompt: 'v1', policy: null, app: null },
    startTime: 1_700_000_000_000,
    durationMs: 1200,
    outcome: 'success',
    llmCalls: 0,
    toolCalls: 0,
    toolErrors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: null,
    escalated: false,
    budgetExceeded: false,
    policyViolations: 0,
    spanCount: 1,
    ...fields,
  };
}

export interface ToolCallSpec {
  tool: string;
  args?: unknown;
  result?: unknown;
}

/** A trace whose root span returned `output` after calling the tools in order. */
export function makeTrace(options: { output?: unknown; tools?: ToolCallSpec[]; run?: Partial<Run>; extraSpans?: Span[] } = {}): TraceDetail {
  const root = makeSpan({ spanId: 'root000000000000', name: 'support', kind: 'agent', output: options.output ?? null });
  const tools = (options.tools ?? []).map((call, index) =>
    makeSpan({
      spanId: `tool${String(index).padStart(12, '0')}`,
      parentSpanId: root.spanId,
      kind: 'tool',
      name: `execute_tool ${call.tool}`,
      toolName: call.tool,
      startTime: 1_700_000_000_010 + index * 10,
      input: call.args ?? {},
      output: call.result ?? null,
    }),
  );
  const spans = [root, ...tools, ...(options.extraSpans ?? [])];
  return { run: makeRun({ toolCalls: tools.length, spanCount: spans.length, ...options.run }), spans };
}
