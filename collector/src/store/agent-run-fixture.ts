// Realistic agent runs for the store's tests and throughput check: a GenAI `invoke_agent` root,
// chat calls whose input grows with the conversation (the same system prompt every time), and
// tool calls with JSON arguments and results. Spans go through the real normaliser.
import type { Attributes, AttributeValue, NormalisedSpan, OtlpEvent, OtlpSpan, OtlpSpanContext, RunOutcome } from '@runlens/schema';
import { normaliseSpan } from '@runlens/schema';

export interface AgentRunOptions {
  traceId: string;
  /** Epoch ms of the root's start. */
  startMs: number;
  service?: string;
  agent?: string;
  model?: string;
  promptVersion?: string;
  appVersion?: string;
  userId?: string;
  sessionId?: string;
  /** Tool-using steps before the final answer. */
  steps?: number;
  /** Total duration of the run, ms. */
  durationMs?: number;
  /** Sets the root's status to error with this message. */
  error?: string;
  explicitOutcome?: Exclude<RunOutcome, 'running'>;
  escalation?: string;
  /** Words put in the user's question, to find the run by search. */
  question?: string;
  costPerCall?: number | null;
  toolError?: boolean;
}

const SYSTEM_PROMPT = [
  'You are the support agent of Acme Telecom. You help customers with billing questions, plan changes, roaming,',
  'device troubleshooting and refunds. Always verify the customer identity with the lookup_customer tool before',
  'discussing an account. Never reveal internal notes. Refunds above 50 EUR need a human approval: call',
  'request_approval and wait. Be concise, friendly and precise; quote amounts with their currency. When unsure,',
  'escalate to a human agent with the escalate tool and explain why. Policies: 1) no refunds for usage older than',
  '90 days; 2) goodwill credits up to 20 EUR per year; 3) roaming bundles can be backdated by 48 hours at most;',
  '4) contract terminations go to the retention team. Format answers as short paragraphs. Today is a weekday.',
].join(' ');

let counter = 0;
function spanId(): string {
  counter++;
  return counter.toString(16).padStart(16, '0');
}

/** One run: its OTLP spans (as a decoder would give them) and the resource they came with. */
export function agentRunOtlp(options: AgentRunOptions): { spans: OtlpSpan[]; context: OtlpSpanContext } {
  const model = options.model ?? 'gpt-4o';
  const steps = options.steps ?? 2;
  const durationMs = options.durationMs ?? 4000;
  const rootId = spanId();
  const t0 = BigInt(Math.round(options.startMs)) * 1_000_000n;
  const at = (fraction: number) => t0 + BigInt(Math.round(durationMs * fraction * 1e6));
  const question = options.question ?? `My invoice for March shows a roaming charge of ${(counter % 97) + 3}.40 EUR from a trip to Lisbon, can you check it?`;
  const messages: unknown[] = [{ role: 'user', parts: [{ type: 'text', content: question }] }];
  const spans: OtlpSpan[] = [];
  const slot = 1 / (2 * steps + 2);

  for (let step = 0; step <= steps; step++) {
    const last = step === steps;
    const callId = `call_${counter}_${step}`;
    const output = last
      ? [{ role: 'assistant', parts: [{ type: 'text', content: `I checked your account: the roaming charge of step ${step} is correct, it covers 212 MB used in Portugal on 14 March. I have added a goodwill credit of 5 EUR.` }], finish_reason: 'stop' }]
      : [{ role: 'assistant', parts: [{ type: 'tool_call', id: callId, name: 'lookup_invoice', arguments: { customer_id: `c_${counter}`, month: '2026-03', line: step } }], finish_reason: 'tool_call' }];
    const chatStart = 2 * step * slot;
    const chatAttributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
      'gen_ai.response.model': model,
      'gen_ai.response.id': `chatcmpl-${counter}${step}`,
      'gen_ai.usage.input_tokens': 900 + step * 250,
      'gen_ai.usage.output_tokens': last ? 60 : 25,
      'gen_ai.usage.cache_read.input_tokens': step === 0 ? 0 : 768,
      'gen_ai.response.finish_reasons': [last ? 'stop' : 'tool_call'],
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: SYSTEM_PROMPT }]),
      'gen_ai.input.messages': JSON.stringify(messages),
      'gen_ai.output.messages': JSON.stringify(output),
      ...(options.costPerCall !== undefined && options.costPerCall !== null && { 'runlens.cost.usd': options.costPerCall }),
    };
    spans.push(otlpSpan(options.traceId, spanId(), rootId, `chat ${model}`, 3, at(chatStart), at(chatStart + slot), chatAttributes));
    messages.push(output[0]);
    if (last) break;
    const toolResult = {
      invoice: `INV-2026-03-${counter}`,
      lines: Array.from({ length: 6 }, (_, i) => ({ date: `2026-03-${10 + i}`, description: i === 2 ? 'Roaming data EU zone 1' : `Usage line ${i}`, amount: 1.1 * (i + 1), currency: 'EUR' })),
      total: 23.1,
    };
    const toolAttributes: Attributes = {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_invoice',
      'gen_ai.tool.call.id': callId,
      'gen_ai.tool.call.arguments': JSON.stringify({ customer_id: `c_${counter}`, month: '2026-03', line: step }),
      'gen_ai.tool.call.result': JSON.stringify(toolResult),
    };
    const toolStart = (2 * step + 1) * slot;
    const toolSpan = otlpSpan(options.traceId, spanId(), rootId, 'execute_tool lookup_invoice', 1, at(toolStart), at(toolStart + slot), toolAttributes);
    if (options.toolError && step === 0) toolSpan.status = { code: 2, message: 'upstream timeout' };
    spans.push(toolSpan);
    messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: callId, response: toolResult }] });
  }

  const rootEvents: OtlpEvent[] = [];
  if (options.escalation !== undefined) rootEvents.push({ name: 'runlens.escalation', timeUnixNano: at(0.99), attributes: { reason: options.escalation } });
  const root = otlpSpan(options.traceId, rootId, null, `invoke_agent ${options.agent ?? 'support_agent'}`, 1, t0, at(1), {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.provider.name': 'openai',
    'gen_ai.agent.name': options.agent ?? 'support_agent',
    'gen_ai.conversation.id': options.sessionId ?? `conv_${counter}`,
    'user.id': options.userId ?? `u_${counter % 50}`,
    ...(options.promptVersion !== undefined && { 'runlens.version.prompt': options.promptVersion }),
    ...(options.explicitOutcome !== undefined && { 'runlens.run.outcome': options.explicitOutcome }),
  });
  root.events = rootEvents;
  if (options.error !== undefined) root.status = { code: 2, message: options.error };
  spans.unshift(root);

  const resource: Attributes = {
    'service.name': options.service ?? 'support-agent',
    ...(options.appVersion !== undefined && { 'service.version': options.appVersion }),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.2.0',
    'host.name': 'agent-worker-7',
    'process.pid': 4242,
  };
  return { spans, context: { resource, scope: { name: '@runlens/sdk', version: '0.1.0' } } };
}

/** The same run, normalised as the collector stores it (root first, then the steps). */
export function agentRun(options: AgentRunOptions): NormalisedSpan[] {
  const { spans, context } = agentRunOtlp(options);
  return spans.map((span) => normaliseSpan(span, context));
}

function otlpSpan(traceId: string, id: string, parent: string | null, name: string, kind: 1 | 3, start: bigint, end: bigint, attributes: Attributes): OtlpSpan {
  return { traceId, spanId: id, parentSpanId: parent, name, kind, startTimeUnixNano: start, endTimeUnixNano: end, attributes, events: [], links: [], status: { code: 0, message: '' } };
}

/** A random 32-hex trace id. */
export function newTraceId(): string {
  let id = '';
  for (let i = 0; i < 4; i++) id += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return id;
}

/** The OTLP/JSON request body (as an exporter sends it) for these runs, to compare sizes. */
export function otlpJson(runs: { spans: OtlpSpan[]; context: OtlpSpanContext }[]): string {
  return JSON.stringify({
    resourceSpans: runs.map(({ spans, context }) => ({
      resource: { attributes: keyValues(context.resource) },
      scopeSpans: [
        {
          scope: { name: context.scope.name, version: context.scope.version ?? undefined },
          spans: spans.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId !== null && { parentSpanId: s.parentSpanId }),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: String(s.startTimeUnixNano),
            endTimeUnixNano: String(s.endTimeUnixNano),
            attributes: keyValues(s.attributes),
            events: s.events.map((e) => ({ timeUnixNano: String(e.timeUnixNano), name: e.name, attributes: keyValues(e.attributes) })),
            status: s.status.code === 0 ? {} : { code: s.status.code, message: s.status.message },
          })),
        },
      ],
    })),
  });
}

function keyValues(attributes: Attributes): { key: string; value: unknown }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: AttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}
