// Measures the receiver's CPU cost per span: decoding alone (JSON and protobuf) and the whole
// route without SQLite (decode + normalise + response). Bodies come from the real OpenTelemetry
// serializers: 512 GenAI chat spans per request, the BatchSpanProcessor's default batch.
// Run: node --import tsx collector/src/ingest/decode-bench.ts
//
// Measured 2026-11-26, Node 20.20, 2 shared cores, 512 chat spans of ~2 KB (JSON 1.0 MB, protobuf
// 0.63 MB per request), quietest of several runs (other work on the machine inflates them 1.5-3x):
//   JSON.parse alone 7.7 µs/span; decode JSON 9.7; decode protobuf 9.6 (of which protobufjs
//   decode 4.0 and toObject 3.1); normaliseSpan 4.9; whole route without SQLite 16.9 (JSON) and
//   15.8 (protobuf) µs/span, i.e. ~60k spans/s on one core. Quoting big JSON integers before
//   parsing costs ~1 µs/span (a regex pass over the text).
// Measured again the same day with the direct protobuf reader (protobuf-traces.ts) and latin1
// decoding of ASCII JSON bodies, one run on a machine loaded ~4x (load average 9 on 2 cores):
//   JSON.parse alone 8.9; decode JSON 16.8; decode protobuf 4.7; normaliseSpan 5.5; route 24.9
//   (JSON) and 12.5 (protobuf) µs/span. On the bench/stages.ts workload in CPU time, old and new
//   alternating in one process (minimum of 10 rounds): protobuf 23.3 → 4.4, JSON 13.3 → 11.3.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { normaliseSpan } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import { decodeTraceRequest } from './decode-traces.ts';
import { otlpRoutes } from './routes.ts';
import { JSON_WIRE, PROTOBUF_WIRE } from './wire.ts';

const SPANS_PER_REQUEST = 512;

async function recordChatSpans(count: number) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-agent', 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('bench', '0.1.0');
  const messages = JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: 'You are a helpful support agent. '.repeat(10) }] },
    { role: 'user', parts: [{ type: 'text', content: 'Where is my order #12345? It was due yesterday.' }] },
  ]);
  for (let i = 0; i < count; i++) {
    const root = tracer.startSpan('invoke_agent support');
    tracer
      .startSpan(
        'chat gpt-4o',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.response.model': 'gpt-4o-2024-08-06',
            'gen_ai.response.id': `chatcmpl-${i}`,
            'gen_ai.usage.input_tokens': 812,
            'gen_ai.usage.output_tokens': 21,
            'gen_ai.usage.cache_read.input_tokens': 512,
            'gen_ai.request.temperature': 0.2,
            'gen_ai.request.max_tokens': 1024,
            'gen_ai.response.finish_reasons': ['stop'],
            'gen_ai.conversation.id': 'conv_42',
            'gen_ai.input.messages': messages,
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships today.' }], finish_reason: 'stop' }]),
            'server.address': 'api.openai.com',
          },
        },
        trace.setSpan(context.active(), root),
      )
      .end();
  }
  await provider.forceFlush();
  const spans = memory.getFinishedSpans().slice(0, count);
  await provider.shutdown();
  return spans;
}

function measure(label: string, iterations: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(20, iterations); i++) fn(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / (iterations * SPANS_PER_REQUEST);
  console.log(`${label.padEnd(44)} ${micros.toFixed(2).padStart(6)} µs/span  ${Math.round(1e6 / micros).toLocaleString('en').padStart(9)} spans/s (one core)`);
}

async function measureAsync(label: string, iterations: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / (iterations * SPANS_PER_REQUEST);
  console.log(`${label.padEnd(44)} ${micros.toFixed(2).padStart(6)} µs/span  ${Math.round(1e6 / micros).toLocaleString('en').padStart(9)} spans/s (one core)`);
}

const spans = await recordChatSpans(SPANS_PER_REQUEST);
const jsonBody = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
const protobufBody = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
console.log(`${SPANS_PER_REQUEST} spans per request: JSON ${jsonBody.length} bytes, protobuf ${protobufBody.length} bytes`);

measure('JSON.parse alone', 200, () => JSON.parse(jsonBody.toString('utf8')));
measure('decode OTLP/JSON (parse + validate + flatten)', 200, () => decodeTraceRequest(jsonBody, JSON_WIRE));
measure('decode OTLP/protobuf (direct reader + validate)', 200, () => decodeTraceRequest(protobufBody, PROTOBUF_WIRE));

const decoded = decodeTraceRequest(jsonBody, JSON_WIRE);
measure('normaliseSpan alone', 200, () => decoded.batches.map((b) => b.spans.map((s) => normaliseSpan(s, b.context))));

// The route with a store that commits instantly: everything but SQLite.
const instantStore = { write: async () => {}, writeEvaluations: async () => {} } as unknown as Store;
const app = otlpRoutes({ store: instantStore, normalise: (s, c) => normaliseSpan(s, c), maxBodyBytes: 32 * 1024 * 1024 });
for (const [label, body, type] of [
  ['route, JSON (decode + normalise + answer)', jsonBody, 'application/json'],
  ['route, protobuf (decode + normalise + answer)', protobufBody, 'application/x-protobuf'],
] as const) {
  await measureAsync(label, 100, async () => {
    const response = await app.request('/v1/traces', { method: 'POST', body: body as unknown as BodyInit, headers: { 'content-type': type } });
    if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
  });
}
