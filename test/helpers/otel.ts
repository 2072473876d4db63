// Sends spans to a collector through the real OpenTelemetry exporters (OTLP/HTTP JSON or
// protobuf, optionally gzip), recorded with a real BasicTracerProvider. Shared by whole-path tests.
import { context, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type OtlpEncoding = 'json' | 'protobuf';

export interface ExportTarget {
  /** Collector base URL, e.g. `http://127.0.0.1:4318`. */
  url: string;
  /** `json` uses exporter-trace-otlp-http, `protobuf` exporter-trace-otlp-proto. Default json. */
  encoding?: OtlpEncoding;
  gzip?: boolean;
  /** Path of the traces endpoint; `/v1/traces` by default. */
  path?: string;
  headers?: Record<string, string>;
}

export interface ServiceSpec {
  serviceName: string;
  serviceVersion?: string;
}

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoTraceExporter>[0]>;

function makeExporter(target: ExportTarget): JsonTraceExporter | ProtoTraceExporter {
  const config: ExporterConfig = {
    url: target.url.replace(/\/$/, '') + (target.path ?? '/v1/traces'),
    compression: (target.gzip ? 'gzip' : 'none') as ExporterConfig['compression'],
    ...(target.headers && { headers: target.headers }),
  };
  return target.encoding === 'protobuf' ? new ProtoTraceExporter(config) : new JsonTraceExporter(config);
}

/** Exports finished spans in one request; rejects when the exporter reports a failure. */
export async function exportSpans(target: ExportTarget, spans: ReadableSpan[]): Promise<void> {
  const exporter = makeExporter(target);
  try {
    await new Promise<void>((resolve, reject) => {
      exporter.export(spans, (result) => {
        // 0 is ExportResultCode.SUCCESS
        if (result.code === 0) resolve();
        else reject(result.error ?? new Error('OTLP export failed'));
      });
    });
  } finally {
    await exporter.shutdown();
  }
}

/**
 * Records spans with a real tracer (no export yet): `fn` gets a Tracer; the finished spans are
 * returned in the order they ended.
 */
export async function recordSpans<T>(service: ServiceSpec, fn: (tracer: Tracer) => T | Promise<T>): Promise<{ result: T; spans: ReadableSpan[] }> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service.serviceName,
      ...(service.serviceVersion !== undefined && { 'service.version': service.serviceVersion }),
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const result = await fn(provider.getTracer('runlens-test-agent', '0.1.0'));
  await provider.forceFlush();
  const spans = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return { result, spans };
}

/** Records spans with `fn` and sends them in one export request. */
export async function sendSpans<T>(target: ExportTarget, service: ServiceSpec, fn: (tracer: Tracer) => T | Promise<T>): Promise<T> {
  const { result, spans } = await recordSpans(service, fn);
  await exportSpans(target, spans);
  return result;
}

export interface ToolCallSpec {
  name: string;
  arguments: Record<string, unknown>;
  result?: unknown;
  /** When set, the tool span ends with an error status and this message. */
  error?: string;
}

/** One agent run as the GenAI semantic conventions describe it. */
export interface AgentRunSpec {
  agent: string;
  model?: string;
  provider?: string;
  userId?: string;
  sessionId?: string;
  promptVersion?: string;
  question: string;
  answer: string;
  tools?: ToolCallSpec[];
  /** When set, the root span fails with this message. */
  failure?: string;
  /** Start of the root span, epoch ms; 5 s ago by default. */
  startTime?: number;
  /** Tokens per chat call. */
  inputTokens?: number;
  outputTokens?: number;
}

const CHAT_MS = 300;
const TOOL_MS = 120;

function textMessage(role: string, content: string) {
  return { role, parts: [{ type: 'text', content }] };
}

/**
 * Records one agent run: an `invoke_agent` root, a `chat` span per model call (usage, input and
 * output messages), an `execute_tool` span per tool call. Returns the trace id.
 */
export function recordAgentRun(tracer: Tracer, spec: AgentRunSpec): string {
  const model = spec.model ?? 'gpt-4o';
  const provider = spec.provider ?? 'openai';
  const start = spec.startTime ?? Date.now() - 5_000;
  const root = tracer.startSpan(`invoke_agent ${spec.agent}`, {
    startTime: start,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': provider,
      'gen_ai.agent.name': spec.agent,
      ...(spec.userId !== undefined && { 'user.id': spec.userId }),
      ...(spec.sessionId !== undefined && { 'gen_ai.conversation.id': spec.sessionId }),
      ...(spec.promptVersion !== undefined && { 'runlens.version.prompt': spec.promptVersion }),
    },
  });
  const parent = trace.setSpan(context.active(), root);
  let t = start + 10;
  const messages: unknown[] = [textMessage('user', spec.question)];

  const chat = (output: unknown[], finishReason: string): void => {
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      'gen_ai.response.model': model,
      'gen_ai.usage.input_tokens': spec.inputTokens ?? 800,
      'gen_ai.usage.output_tokens': spec.outputTokens ?? 40,
      'gen_ai.response.finish_reasons': [finishReason],
      'gen_ai.input.messages': JSON.stringify(messages),
      'gen_ai.output.messages': JSON.stringify(output),
    };
    const span = tracer.startSpan(`chat ${model}`, { startTime: t, attributes }, parent);
    t += CHAT_MS;
    span.end(t);
    messages.push(...output);
  };

  for (const [i, tool] of (spec.tools ?? []).entries()) {
    const callId = `call_${i + 1}`;
    chat([{ role: 'assistant', parts: [{ type: 'tool_call', id: callId, name: tool.name, arguments: tool.arguments }], finish_reason: 'tool_call' }], 'tool_call');
    const span: Span = tracer.startSpan(
      `execute_tool ${tool.name}`,
      {
        startTime: t,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool.name,
          'gen_ai.tool.call.id': callId,
          'gen_ai.tool.call.arguments': JSON.stringify(tool.arguments),
          ...(tool.result !== undefined && { 'gen_ai.tool.call.result': JSON.stringify(tool.result) }),
          ...(tool.error !== undefined && { 'error.type': 'ToolError' }),
        },
      },
      parent,
    );
    if (tool.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: tool.error });
    t += TOOL_MS;
    span.end(t);
    messages.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: callId, response: tool.error ?? tool.result ?? null }] });
  }
  chat([{ role: 'assistant', parts: [{ type: 'text', content: spec.answer }], finish_reason: 'stop' }], 'stop');

  if (spec.failure !== undefined) {
    root.setAttribute('error.type', 'AgentError');
    root.setStatus({ code: SpanStatusCode.ERROR, message: spec.failure });
  }
  root.end(t + 10);
  return root.spanContext().traceId;
}

/** Records the runs and sends all their spans in one export request; returns their trace ids. */
export function sendAgentRuns(target: ExportTarget, service: ServiceSpec, runs: AgentRunSpec[]): Promise<string[]> {
  return sendSpans(target, service, (tracer) => runs.map((run) => recordAgentRun(tracer, run)));
}
