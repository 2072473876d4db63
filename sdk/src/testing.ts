// For tests (ours and users'): a client whose spans land in memory, read back after a flush.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { RunlensClient } from './client.ts';
import type { InitOptions } from './config.ts';

export interface TestClient {
  client: RunlensClient;
  exporter: InMemorySpanExporter;
  /** Flushes, then returns every span exported so far, in the order they ended. */
  spans(): Promise<ReadableSpan[]>;
  /** Flushes, then returns the first span whose name is `name` (throws if there is none). */
  span(name: string): Promise<ReadableSpan>;
}

export function createTestClient(options: Partial<InitOptions> = {}): TestClient {
  const exporter = new InMemorySpanExporter();
  const client = new RunlensClient({ service: 'test-agent', flushOnExit: false, ...options, exporter });
  const spans = async (): Promise<ReadableSpan[]> => {
    await client.forceFlush();
    return exporter.getFinishedSpans();
  };
  return {
    client,
    exporter,
    spans,
    async span(name) {
      const found = (await spans()).find((span) => span.name === name);
      if (!found) throw new Error(`no span named '${name}'; spans: ${(await spans()).map((s) => s.name).join(', ')}`);
      return found;
    },
  };
}
