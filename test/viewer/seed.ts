// Agent runs for the viewer's browser tests, recorded with a real OpenTelemetry tracer in the
// GenAI conventions and sent through the real OTLP/HTTP exporter: a support agent with two prompt
// versions, one run that fails in a tool, an escalation, a budget stop, an unpriced model, and
// (optionally) one very large trace.
import { context, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { recordSpans, sendSpans, type ExportTarget } from '../helpers/otel.ts';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const SERVICE = { serviceName: 'support-agent', serviceVersion: '1.4.0' };

interface ToolStep {
  name: string;
  args: Record<string, unknown>;
  result?: unknown;
  error?: string;
}

interface RunSpec {
  startTime: number;
  userId: string;
  sessionId: string;
  promptVersion: string;
  question: string;
  answer: string;
  model?: string;
  tools?: ToolStep[];
  failure?: string;
  outcome?: 'escalated' | 'budget_exceeded';
  rootEvents?: { name: string; attributes: Attributes }[];
  chatEvents?: { name: string; attributes: Attributes }[];
}

const SYSTEM_PROMPT = 'You are the support agent of Acme Store. Be concise. Never issue refunds above $500 without approval.';

function text(role: string, content: string) {
  return { role, parts: [{ type: 'text', content }] };
}

/** Records one run as the GenAI conventions describe it; returns its trace id. */
function recordRun(tracer: Tracer, spec: RunSpec): string {
  const model = spec.model ?? 'gpt-4o-mini';
  const root = tracer.startSpan('invoke_agent support', {
    startTime: spec.startTime,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.agent.name': 'support',
      'user.id': spec.userId,
      'gen_ai.conversation.id': spec.sessionId,
      'runlens.version.prompt': spec.promptVersion,
      ...(spec.outcome && { 'runlens.run.outcome': spec.outcome }),
    },
  });
  const parent = trace.setSpan(context.active(), root);
  let t = spec.startTime + 12;
  const history: unknown[] = [text('user', spec.question)];

  const chat = (output: unknown, finishReason: string, events: RunSpec['chatEvents'] = []) => {
    const span = tracer.startSpan(`chat ${model}`, {
      startTime: t,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.usage.input_tokens': 600 + history.length * 120,
        'gen_ai.usage.output_tokens': 45,
        'gen_ai.response.finish_reasons': [finishReason],
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM_PROMPT }]),
        'gen_ai.input.messages': JSON.stringify(history),
        'gen_ai.output.messages': JSON.stringify([output]),
      },
    }, parent);
    for (const event of events) span.addEvent(event.name, event.attributes, t + 100);
    t += 640;
    span.end(t);
    history.push(output);
  };

  for (const [i, tool] of (spec.tools ?? []).entries()) {
    const id = `call_${i + 1}`;
    chat({ role: 'assistant', parts: [{ type: 'tool_call', id, name: tool.name, arguments: tool.args }], finish_reason: 'tool_call' }, 'tool_call', i === 0 ? spec.chatEvents : []);
    const span = tracer.startSpan(`execute_tool ${tool.name}`, {
      startTime: t,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': tool.name,
        'gen_ai.tool.call.id': id,
        'gen_ai.tool.call.arguments': JSON.stringify(tool.args),
        ...(tool.result !== undefined && { 'gen_ai.tool.call.result': JSON.stringify(tool.result) }),
        ...(tool.error !== undefined && { 'error.type': 'ToolError' }),
      },
    }, parent);
    if (tool.error !== undefined) {
      span.recordException({ name: 'ToolError', message: tool.error }, t + 200);
      span.setStatus({ code: SpanStatusCode.ERROR, message: tool.error });
    }
    t += 230;
    span.end(t);
    history.push({ role: 'tool', parts: [{ type: 'tool_call_response', id, response: tool.error ?? tool.result ?? null }] });
  }
  chat({ role: 'assistant', parts: [{ type: 'text', content: spec.answer }], finish_reason: 'stop' }, 'stop', spec.tools?.length ? [] : spec.chatEvents);

  for (const event of spec.rootEvents ?? []) root.addEvent(event.name, event.attributes, t);
  if (spec.failure !== undefined) {
    root.setAttribute('error.type', 'AgentError');
    root.setStatus({ code: SpanStatusCode.ERROR, message: spec.failure });
  }
  root.end(t + 15);
  return root.spanContext().traceId;
}

export interface SeededRuns {
  failedTraceId: string;
  escalatedTraceId: string;
  budgetTraceId: string;
  unpricedTraceId: string;
  total: number;
}

/** Sends about thirty runs spread over the last three hours; returns the ids the tests look at. */
export async function seedRuns(target: ExportTarget, now = Date.now()): Promise<SeededRuns> {
  return sendSpans(target, SERVICE, (tracer) => {
    const ids: Partial<SeededRuns> = {};
    let n = 0;
    const at = (minutesAgo: number) => now - minutesAgo * 60_000;
    // Routine traffic: prompt v1 (stable) and v2 (canary), both mostly successful.
    for (let i = 0; i < 24; i++) {
      const v2 = i % 3 === 0;
      recordRun(tracer, {
        startTime: at(170 - i * 7),
        userId: `u_${100 + (i % 6)}`,
        sessionId: `s_${i}`,
        promptVersion: v2 ? 'v2' : 'v1',
        question: `Where is my order A-${2000 + i}?`,
        answer: `Order A-${2000 + i} ships tomorrow.`,
        tools: [{ name: 'lookup_order', args: { orderId: `A-${2000 + i}` }, result: { status: 'packed', eta: '2026-11-27' } }],
        ...(v2 && i % 2 === 0 && { failure: 'Answer did not cite the order status' }),
      });
      n++;
    }
    ids.failedTraceId = recordRun(tracer, {
      startTime: at(20),
      userId: 'u_failing',
      sessionId: 's_refund',
      promptVersion: 'v2',
      question: 'Please refund order A-1043, it arrived broken.',
      answer: 'Sorry, I could not issue the refund right now.',
      tools: [
        { name: 'lookup_order', args: { orderId: 'A-1043' }, result: { status: 'delivered', total: 129.9, currency: 'EUR' } },
        { name: 'issue_refund', args: { orderId: 'A-1043', amount: 129.9, reason: 'damaged' }, error: 'Payments API returned 503 Service Unavailable' },
      ],
      failure: 'Refund could not be issued: payments API unavailable',
    });
    ids.escalatedTraceId = recordRun(tracer, {
      startTime: at(15),
      userId: 'u_angry',
      sessionId: 's_escalate',
      promptVersion: 'v1',
      question: 'I want to speak to a human, this is the third time.',
      answer: 'I am handing you over to a colleague.',
      outcome: 'escalated',
      rootEvents: [{ name: 'runlens.escalation', attributes: { reason: 'customer asked for a human three times' } }],
      chatEvents: [{ name: 'runlens.policy.violation', attributes: { rule: 'email', field: 'gen_ai.input.messages' } }],
    });
    ids.budgetTraceId = recordRun(tracer, {
      startTime: at(10),
      userId: 'u_loop',
      sessionId: 's_budget',
      promptVersion: 'v2',
      question: 'Compare every order I ever made.',
      answer: 'Stopping here.',
      tools: [{ name: 'list_orders', args: { userId: 'u_loop', page: 1 }, result: { orders: 250 } }],
      outcome: 'budget_exceeded',
      rootEvents: [{ name: 'runlens.budget.exceeded', attributes: { budget: 'maxToolCalls', limit: 1, value: 2 } }],
    });
    ids.unpricedTraceId = recordRun(tracer, {
      startTime: at(5),
      userId: 'u_101',
      sessionId: 's_unpriced',
      promptVersion: 'v1',
      model: 'acme-internal-llm-7',
      question: 'What are your opening hours?',
      answer: 'We are open 9–18 on weekdays.',
    });
    return { ...(ids as Omit<SeededRuns, 'total'>), total: n + 4 };
  });
}

/** One trace of `count` spans: an agent with steps, each an llm call and a tool call. */
export async function seedLargeTrace(target: ExportTarget, count: number, now = Date.now()): Promise<string> {
  return sendSpans(target, { serviceName: 'batch-agent', serviceVersion: '2.0.0' }, (tracer) => {
    const start = now - 120_000;
    const root = tracer.startSpan('invoke_agent batch', {
      startTime: start,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'batch', 'runlens.version.prompt': 'v1' },
    });
    const rootCtx = trace.setSpan(context.active(), root);
    const steps = Math.floor((count - 1) / 3);
    const stepMs = 100_000 / steps;
    for (let i = 0; i < steps; i++) {
      const t = start + 50 + i * stepMs;
      const step = tracer.startSpan(`step ${i + 1}`, { startTime: t, attributes: { 'gen_ai.operation.name': 'invoke_workflow' } }, rootCtx);
      const stepCtx = trace.setSpan(rootCtx, step);
      tracer.startSpan('chat gpt-4o-mini', {
        startTime: t + 1,
        attributes: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 12,
        },
      }, stepCtx).end(t + stepMs * 0.5);
      const tool = tracer.startSpan(`execute_tool fetch_row_${i + 1}`, {
        startTime: t + stepMs * 0.5,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'fetch_row', 'gen_ai.tool.call.arguments': JSON.stringify({ row: i }) },
      }, stepCtx);
      if (i === steps - 7) tool.setStatus({ code: SpanStatusCode.ERROR, message: `row ${i} is locked` });
      tool.end(t + stepMs * 0.9);
      step.end(t + stepMs * 0.95);
    }
    root.end(start + 100_100);
    return root.spanContext().traceId;
  });
}

/** One more routine run, for the live-update test; returns its trace id. */
export async function seedOneRun(target: ExportTarget, userId: string, now = Date.now()): Promise<string> {
  return sendSpans(target, SERVICE, (tracer) => recordRoutineRun(tracer, userId, now));
}

/** A routine run recorded but not sent, so a test can send its spans in several parts. */
export async function recordOneRun(userId: string, now = Date.now()): Promise<{ traceId: string; spans: ReadableSpan[] }> {
  const { result, spans } = await recordSpans(SERVICE, (tracer) => recordRoutineRun(tracer, userId, now));
  return { traceId: result, spans };
}

function recordRoutineRun(tracer: Tracer, userId: string, now: number): string {
  return recordRun(tracer, {
      startTime: now - 2_000,
      userId,
      sessionId: `s_${userId}`,
      promptVersion: 'v1',
      question: 'Can I change my delivery address?',
      answer: 'Yes, I updated it.',
      tools: [{ name: 'update_address', args: { orderId: 'A-3001', city: 'Lyon' }, result: { ok: true } }],
  });
}

/** `count` small runs (an agent and one chat call each), one a second going back from `now`. */
export async function seedManyRuns(target: ExportTarget, count: number, now = Date.now()): Promise<string[]> {
  return sendSpans(target, SERVICE, (tracer) =>
    Array.from({ length: count }, (_, i) => {
      const start = now - (i + 1) * 1_000;
      const root = tracer.startSpan('invoke_agent support', {
        startTime: start,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'user.id': `u_${i}`, 'runlens.version.prompt': 'v1' },
      });
      tracer.startSpan('chat gpt-4o-mini', {
        startTime: start + 5,
        attributes: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 100 + i, 'gen_ai.usage.output_tokens': 10,
        },
      }, trace.setSpan(context.active(), root)).end(start + 300);
      root.end(start + 310);
      return root.spanContext().traceId;
    }),
  );
}
