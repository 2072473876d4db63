// The SDK's overhead per instrumented run and per span, against bare OpenTelemetry doing the
// same spans in the same process. Both export to a no-op exporter through a BatchSpanProcessor,
// so only span creation, attributes, context and (for the SDK) budgets, content and redaction
// are measured. `npm run bench` calls measureSdkOverhead(); run this file alone to print it.
import { context, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { RunlensClient } from '../src/client.ts';
import type { AgentRun } from '../src/run.ts';

export interface SdkOverhead {
  /** Median time of one instrumented run through the SDK, µs (1 root + 5 llm + 5 tool spans). */
  perRunUs: number;
  /** perRunUs divided by the spans of a run. */
  perSpanUs: number;
  /** The same with captureContent: false (no messages, arguments, results, redaction). */
  perSpanNoContentUs: number;
  /** Bare OpenTelemetry: the same spans and attributes set by hand, µs per run and per span. */
  bareOtelPerRunUs: number;
  bareOtelPerSpanUs: number;
  /** perSpanUs - bareOtelPerSpanUs: what the SDK adds to each span. */
  overheadPerSpanUs: number;
  spansPerRun: number;
  runsPerRound: number;
  rounds: number;
}

const LLM_CALLS = 5;
const SPANS_PER_RUN = 1 + 2 * LLM_CALLS;

const noopExporter = (): SpanExporter => ({
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
});

const SYSTEM = 'You are the support agent of Acme Outdoor. Answer briefly and precisely. '.repeat(20);
const MESSAGES = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: 'Where is my order A-10422? It was due yesterday.' },
];
const TOOL_ARGS = { orderId: 'A-10422', include: ['items', 'shipping'] };
const TOOL_RESULT = { orderId: 'A-10422', status: 'shipped', carrier: 'UPS', eta: '2026-11-27' };

async function sdkRun(client: RunlensClient, i: number): Promise<void> {
  await client.run('support', { userId: `u_${i % 50}`, sessionId: `s_${i}`, input: 'Where is my order A-10422?' }, async (run: AgentRun) => {
    for (let call = 0; call < LLM_CALLS; call++) {
      await run.llm({ model: 'gpt-4o-mini', provider: 'openai', messages: MESSAGES }, (llm) => {
        llm.record({ inputTokens: 420, outputTokens: 30, cachedTokens: 256, finishReasons: ['tool_call'], output: 'Looking it up.' });
      });
      await run.tool('lookup_order', TOOL_ARGS, () => TOOL_RESULT);
    }
    return 'It shipped.';
  });
}

/** What an agent would write by hand with the OpenTelemetry API for the same run. */
async function bareRun(tracer: Tracer, i: number): Promise<void> {
  const root = tracer.startSpan('invoke_agent support', {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support',
      'user.id': `u_${i % 50}`,
      'gen_ai.conversation.id': `s_${i}`,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order A-10422?' }] }]),
    },
  });
  const rootContext = trace.setSpan(context.active(), root);
  await context.with(rootContext, async () => {
    for (let call = 0; call < LLM_CALLS; call++) {
      const llm = tracer.startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.input.messages': JSON.stringify(MESSAGES),
        },
      });
      await context.with(trace.setSpan(rootContext, llm), async () => undefined);
      llm.setAttributes({
        'gen_ai.usage.input_tokens': 420,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.usage.cache_read.input_tokens': 256,
        'gen_ai.response.finish_reasons': ['tool_call'],
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Looking it up.' }] }]),
      });
      llm.end();
      const tool = tracer.startSpan('execute_tool lookup_order', {
        kind: SpanKind.INTERNAL,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'lookup_order',
          'gen_ai.tool.call.arguments': JSON.stringify(TOOL_ARGS),
        },
      });
      await context.with(trace.setSpan(rootContext, tool), async () => TOOL_RESULT);
      tool.setAttribute('gen_ai.tool.call.result', JSON.stringify(TOOL_RESULT));
      tool.end();
    }
  });
  root.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It shipped.' }] }]));
  root.end();
}

async function timeRounds(rounds: number, runs: number, once: (i: number) => Promise<void>): Promise<number> {
  const perRun: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < runs; i++) await once(i);
    perRun.push(((performance.now() - started) * 1000) / runs);
  }
  perRun.sort((a, b) => a - b);
  return perRun[Math.floor(perRun.length / 2)]!;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

export async function measureSdkOverhead(options: { rounds?: number; runsPerRound?: number } = {}): Promise<SdkOverhead> {
  const rounds = options.rounds ?? 7;
  const runs = options.runsPerRound ?? 400;
  // The queue is sized so nothing is dropped: dropping would make the SDK look cheaper.
  const queue = { maxQueueSize: runs * SPANS_PER_RUN, scheduledDelayMillis: 50, flushOnExit: false };
  const sdk = new RunlensClient({ service: 'bench', exporter: noopExporter(), ...queue });
  const sdkNoContent = new RunlensClient({ service: 'bench', exporter: noopExporter(), captureContent: false, ...queue });
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noopExporter(), { maxQueueSize: runs * SPANS_PER_RUN, scheduledDelayMillis: 50 })],
  });
  const tracer = provider.getTracer('bench');
  try {
    // Warm up every path so the JIT has settled before anything is timed.
    await timeRounds(2, runs, (i) => sdkRun(sdk, i));
    await timeRounds(2, runs, (i) => sdkRun(sdkNoContent, i));
    await timeRounds(2, runs, (i) => bareRun(tracer, i));
    // Interleave the three so drift (GC, other processes) hits them alike.
    const sdkTimes: number[] = [];
    const noContentTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      sdkTimes.push(await timeRounds(1, runs, (i) => sdkRun(sdk, i)));
      noContentTimes.push(await timeRounds(1, runs, (i) => sdkRun(sdkNoContent, i)));
      bareTimes.push(await timeRounds(1, runs, (i) => bareRun(tracer, i)));
      await Promise.all([sdk.forceFlush(), sdkNoContent.forceFlush(), provider.forceFlush()]);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const perRunUs = median(sdkTimes);
    const bareOtelPerRunUs = median(bareTimes);
    const dropped = sdk.stats().dropped + sdkNoContent.stats().dropped;
    if (dropped > 0) throw new Error(`benchmark invalid: ${dropped} spans dropped; raise maxQueueSize`);
    return {
      perRunUs: round2(perRunUs),
      perSpanUs: round2(perRunUs / SPANS_PER_RUN),
      perSpanNoContentUs: round2(median(noContentTimes) / SPANS_PER_RUN),
      bareOtelPerRunUs: round2(bareOtelPerRunUs),
      bareOtelPerSpanUs: round2(bareOtelPerRunUs / SPANS_PER_RUN),
      overheadPerSpanUs: round2((perRunUs - bareOtelPerRunUs) / SPANS_PER_RUN),
      spansPerRun: SPANS_PER_RUN,
      runsPerRound: runs,
      rounds,
    };
  } finally {
    await Promise.all([sdk.shutdown(), sdkNoContent.shutdown(), provider.shutdown()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureSdkOverhead(), null, 2));
}
