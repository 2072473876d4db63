import { trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { RunlensClient, init, run, shutdown } from './client.ts';
import { RunlensNotInitializedError } from './errors.ts';

/** An exporter that never answers: a collector that accepted the connection and hung. */
class HangingExporter implements SpanExporter {
  received = 0;
  export(spans: ReadableSpan[], _done: (result: ExportResult) => void): void {
    this.received += spans.length;
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('RunlensClient', () => {
  it("attaches to the application's own tracer provider: spans go to its exporter with its resource", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'existing-app' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const client = new RunlensClient({ service: 'ignored', tracerProvider: provider });
    await client.run('support', async (r) => r.tool('lookup', {}, async () => 1));
    await client.shutdown();
    const names = exporter.getFinishedSpans().map((span) => span.name);
    expect(names).toEqual(['execute_tool lookup', 'invoke_agent support']);
    expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('existing-app');
    expect(client.tracesUrl).toBeNull();
  });

  it('nests under a span the application already started', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const client = new RunlensClient({ service: 's', tracerProvider: provider });
    const http = provider.getTracer('app');
    await http.startActiveSpan('POST /chat', async (span) => {
      await client.run('support', async () => 'ok');
      span.end();
    });
    const [agent, request] = exporter.getFinishedSpans();
    expect(agent?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('bounds the spans held in memory when export hangs, and counts the dropped ones', async () => {
    const exporter = new HangingExporter();
    const client = new RunlensClient({ service: 's', exporter, maxQueueSize: 10, scheduledDelayMillis: 1, flushOnExit: false });
    const started = performance.now();
    for (let i = 0; i < 100; i++) await client.run('support', async (r) => r.tool('lookup', {}, async () => i));
    const elapsed = performance.now() - started;
    const stats = client.stats();
    expect(stats.pending).toBeLessThanOrEqual(10);
    expect(stats.queued + stats.dropped).toBe(200);
    expect(stats.dropped).toBeGreaterThanOrEqual(190);
    expect(exporter.received).toBeLessThanOrEqual(10);
    expect(elapsed).toBeLessThan(1000);
  });

  it('shutdown flushes once and can be called again', async () => {
    const exporter = new InMemorySpanExporter();
    const client = new RunlensClient({ service: 's', exporter, scheduledDelayMillis: 60_000, flushOnExit: false });
    await client.run('support', async () => 'ok');
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    const first = client.shutdown();
    expect(client.shutdown()).toBe(first);
    await first;
    expect(client.stats()).toMatchObject({ queued: 1, exported: 1, pending: 0 });
    await client.shutdown();
  });

  it('counts spans the exporter failed to deliver, without throwing to the agent', async () => {
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('503') }),
      shutdown: () => Promise.resolve(),
    };
    const client = new RunlensClient({ service: 's', exporter: failing, flushOnExit: false });
    await client.run('support', async () => 'ok');
    await client.forceFlush();
    expect(client.stats()).toMatchObject({ queued: 1, failed: 1, exported: 0, pending: 0 });
    await client.shutdown();
  });
});

describe('top-level run()', () => {
  it('uses the client of the latest init()', async () => {
    await shutdown();
    const exporter = new InMemorySpanExporter();
    const client = init({ service: 's', exporter, flushOnExit: false });
    expect(await run('support', async () => 42)).toBe(42);
    await client.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['invoke_agent support']);
    await shutdown();
  });

  it('RunlensNotInitializedError names what to do', () => {
    expect(new RunlensNotInitializedError().message).toMatch(/call init\(\{ service \}\)/);
  });
});
