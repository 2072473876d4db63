// One long agent run of exactly `spans` spans (a root, steps, each a chat call and tool calls,
// with GenAI attributes, messages, tool arguments and results, some failures), recorded with the
// real OpenTelemetry SDK and posted as OTLP/JSON in requests of 512 spans, as an exporter would.
// Its trace id is fixed, so a cached database is filled only once.
import { context, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';

export function bigTraceId(spans: number): string {
  return `b16b16${spans.toString(16).padStart(8, '0')}${'0'.repeat(17)}1`;
}

function record(tracer: Tracer, spans: number, startMs: number): void {
  const root = tracer.startSpan('invoke_agent research-agent', {
    startTime: startMs,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.agent.name': 'research-agent', 'user.id': 'user_big', 'runlens.version.prompt': 'v2' },
  });
  const rootCtx = trace.setSpan(context.active(), root);
  let left = spans - 1;
  let t = startMs + 5;
  for (let step = 0; left > 0; step++) {
    const stepSpan = tracer.startSpan(`step ${step}`, { startTime: t, attributes: { 'gen_ai.operation.name': 'agent_step' } }, rootCtx);
    left--;
    const stepCtx = trace.setSpan(rootCtx, stepSpan);
    const tools = Math.min(left - 1, 1 + (step % 3));
    if (left > 0) {
      const chat = tracer.startSpan('chat gpt-4o', {
        startTime: t + 1,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 900 + step,
          'gen_ai.usage.output_tokens': 40,
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Step ${step}: find sources about topic ${step % 97} and summarise them.` }] }]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: `call_${step}`, name: 'search', arguments: { query: `topic ${step % 97}` } }], finish_reason: 'tool_call' }]),
        },
      }, stepCtx);
      chat.end(t + 300);
      left--;
    }
    let tt = t + 300;
    for (let i = 0; i < tools && left > 0; i++, left--) {
      const tool = tracer.startSpan(`execute_tool search`, {
        startTime: tt,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'search',
          'gen_ai.tool.call.arguments': JSON.stringify({ query: `topic ${step % 97}`, page: i }),
          'gen_ai.tool.call.result': JSON.stringify({ hits: [{ title: `Result ${step}.${i}`, url: `https://example.com/${step}/${i}` }] }),
        },
      }, stepCtx);
      if ((step + i) % 37 === 0) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search backend timed out' });
      tool.end(tt + 80);
      tt += 80;
    }
    stepSpan.end(tt + 1);
    t = tt + 5;
  }
  root.end(t + 5);
}

/** Records the trace and returns its OTLP/JSON export requests of 512 spans. */
export async function bigTraceRequests(spans: number, startMs: number): Promise<Uint8Array[]> {
  const memory = new InMemorySpanExporter();
  const traceId = bigTraceId(spans);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'research-agent', 'service.version': '1.0.0' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    idGenerator: { generateTraceId: () => traceId, generateSpanId: () => randomBytes(8).toString('hex') },
  });
  record(provider.getTracer('bench'), spans, startMs);
  await provider.forceFlush();
  const finished: ReadableSpan[] = [...memory.getFinishedSpans()];
  await provider.shutdown();
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < finished.length; i += 512) bodies.push(JsonTraceSerializer.serializeRequest(finished.slice(i, i + 512))!);
  return bodies;
}

/** Posts the trace to the collector unless it is there already; returns its trace id. */
export async function ensureBigTrace(url: string, spans: number, startMs: number): Promise<string> {
  const traceId = bigTraceId(spans);
  const existing = await fetch(`${url}/api/runs/${traceId}`);
  if (existing.ok) {
    const detail = (await existing.json()) as { spans: unknown[] };
    if (detail.spans.length === spans) return traceId;
  } else {
    await existing.arrayBuffer();
  }
  for (const body of await bigTraceRequests(spans, startMs)) {
    const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: new Uint8Array(body) });
    if (!response.ok) throw new Error(`posting the ${spans}-span trace: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  return traceId;
}
