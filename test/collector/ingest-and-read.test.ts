// Spans from the real OpenTelemetry exporters (JSON, protobuf, protobuf + gzip) into a real
// collector process, read back through the HTTP API only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, MetricsResponse, Run, RunsPage, TraceDetail } from '@runlens/schema';
import { startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns } from '../helpers/otel.ts';
import { getJson, getOk, listAllRuns, openEventStream } from '../helpers/api.ts';

let collector: RunningCollector;
let ids: { refund: string; failed: string; toolError: string; billing: string };
const now = Date.now();

beforeAll(async () => {
  collector = await startCollector();
  const url = collector.url;
  // JSON (exporter-trace-otlp-http): a successful refund run on app version 1.4.0.
  const [refund] = await sendAgentRuns({ url, encoding: 'json' }, { serviceName: 'support-agent', serviceVersion: '1.4.0' }, [
    {
      agent: 'support_agent',
      userId: 'u_1',
      sessionId: 'sess_1',
      promptVersion: 'triage-v3',
      question: 'Can I get a refund for order 8812? The blender arrived cracked.',
      answer: 'I have issued a refund of 49.90 EUR for order 8812.',
      tools: [
        { name: 'lookup_order', arguments: { orderId: '8812' }, result: { status: 'delivered', total: 49.9 } },
        { name: 'issue_refund', arguments: { orderId: '8812', amount: 49.9 }, result: { refundId: 'rf_1' } },
      ],
      startTime: now - 60_000,
    },
  ]);
  // Protobuf (exporter-trace-otlp-proto): a failed run and a run whose tool failed, version 1.5.0.
  const [failed, toolError] = await sendAgentRuns({ url, encoding: 'protobuf' }, { serviceName: 'support-agent', serviceVersion: '1.5.0' }, [
    {
      agent: 'support_agent',
      userId: 'u_2',
      question: 'Cancel my subscription now.',
      answer: 'Something went wrong.',
      tools: [{ name: 'cancel_subscription', arguments: { plan: 'pro' }, result: { ok: false } }],
      failure: 'billing backend unavailable',
      startTime: now - 50_000,
    },
    {
      agent: 'support_agent',
      userId: 'u_3',
      model: 'gpt-4o-mini',
      question: 'Where is my parcel?',
      answer: 'The carrier tracking is down, please retry later.',
      tools: [{ name: 'track_parcel', arguments: { trackingId: 'ZX9' }, error: 'carrier API timed out' }],
      startTime: now - 40_000,
    },
  ]);
  // Protobuf with gzip: another service, a model no price table knows.
  const [billing] = await sendAgentRuns({ url, encoding: 'protobuf', gzip: true }, { serviceName: 'billing-agent', serviceVersion: '2.0.0' }, [
    { agent: 'billing_agent', model: 'acme-llm-7', provider: 'acme', question: 'Explain invoice INV-77', answer: 'It covers March usage.', startTime: now - 30_000 },
  ]);
  ids = { refund: refund!, failed: failed!, toolError: toolError!, billing: billing! };
});

afterAll(async () => {
  await collector?.stop();
});

function byId(runs: Run[]): string[] {
  return runs.map((run) => run.traceId);
}

describe('runs sent by the real OTLP exporters', () => {
  it('are all listed, newest first', async () => {
    const page = await getOk<RunsPage>(collector.url, '/api/runs');
    expect(byId(page.runs)).toEqual([ids.billing, ids.toolError, ids.failed, ids.refund]);
    expect(page.nextCursor).toBeNull();
  });

  it('carry what their spans say: calls, errors, tokens, outcome, versions', async () => {
    const { runs } = await getOk<RunsPage>(collector.url, '/api/runs');
    const refund = runs.find((run) => run.traceId === ids.refund)!;
    expect(refund).toMatchObject({
      name: 'invoke_agent support_agent',
      service: 'support-agent',
      agent: 'support_agent',
      userId: 'u_1',
      sessionId: 'sess_1',
      outcome: 'success',
      llmCalls: 3,
      toolCalls: 2,
      toolErrors: 0,
      inputTokens: 2400,
      outputTokens: 120,
      spanCount: 6,
      versions: { model: 'gpt-4o', prompt: 'triage-v3', app: '1.4.0' },
    });
    expect(refund.costUsd).toBeGreaterThan(0);
    expect(refund.startTime).toBe(now - 60_000);

    const failed = runs.find((run) => run.traceId === ids.failed)!;
    expect(failed.outcome).toBe('failure');
    const toolError = runs.find((run) => run.traceId === ids.toolError)!;
    expect(toolError).toMatchObject({ outcome: 'success', toolCalls: 1, toolErrors: 1 });
    // An unknown model has no price: the cost is unknown, never a guess.
    const billing = runs.find((run) => run.traceId === ids.billing)!;
    expect(billing.costUsd).toBeNull();
  });

  it('are filtered by service, outcome, model, version, user, session and agent', async () => {
    const list = async (query: string) => byId(await listAllRuns(collector.url, query));
    expect(await list('service=billing-agent')).toEqual([ids.billing]);
    expect(await list('outcome=failure')).toEqual([ids.failed]);
    expect(await list('model=gpt-4o-mini')).toEqual([ids.toolError]);
    expect(await list('version=1.5.0')).toEqual([ids.toolError, ids.failed]);
    expect(await list('version=triage-v3')).toEqual([ids.refund]);
    expect(await list('user=u_1')).toEqual([ids.refund]);
    expect(await list('session=sess_1')).toEqual([ids.refund]);
    expect(await list('agent=billing_agent')).toEqual([ids.billing]);
    expect(await list(`from=${now - 45_000}&to=${now - 35_000}`)).toEqual([ids.toolError]);
    expect(await list('service=support-agent&outcome=success')).toEqual([ids.toolError, ids.refund]);
  });

  it('are found by words of their inputs and outputs', async () => {
    expect(byId(await listAllRuns(collector.url, 'q=blender'))).toEqual([ids.refund]);
    expect(byId(await listAllRuns(collector.url, 'q=carrier'))).toEqual([ids.toolError]);
    expect(await listAllRuns(collector.url, 'q=zeppelin')).toEqual([]);
  });

  it('come in pages through a cursor, without repeats or gaps', async () => {
    const first = await getOk<RunsPage>(collector.url, '/api/runs?limit=3');
    expect(first.runs).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await getOk<RunsPage>(collector.url, `/api/runs?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(byId([...first.runs, ...second.runs])).toEqual([ids.billing, ids.toolError, ids.failed, ids.refund]);
    expect(second.nextCursor).toBeNull();
  });

  it('answer a bad parameter with 400 naming it', async () => {
    for (const [query, name] of [
      ['limit=0', 'limit'],
      ['outcome=great', 'outcome'],
      ['from=yesterday', 'from'],
      ['colour=red', 'colour'],
      ['cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const answer = await getJson<{ error: string }>(collector.url, `/api/runs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error).toMatch(new RegExp(`^${name}\\b`));
    }
  });
});

describe('one trace', () => {
  it('holds the run and every span with its normalised fields', async () => {
    const trace = await getOk<TraceDetail>(collector.url, `/api/runs/${ids.toolError}`);
    expect(trace.run.traceId).toBe(ids.toolError);
    expect(trace.spans).toHaveLength(4);
    const root = trace.spans.find((span) => span.parentSpanId === null)!;
    expect(root).toMatchObject({ kind: 'agent', name: 'invoke_agent support_agent', service: 'support-agent' });
    const tool = trace.spans.find((span) => span.kind === 'tool')!;
    expect(tool).toMatchObject({ toolName: 'track_parcel', status: 'error', statusMessage: 'carrier API timed out', parentSpanId: root.spanId });
    expect(tool.input).toEqual({ trackingId: 'ZX9' });
    const llm = trace.spans.filter((span) => span.kind === 'llm');
    expect(llm).toHaveLength(2);
    expect(llm[0]).toMatchObject({ model: 'gpt-4o-mini', provider: 'openai', inputTokens: 800, outputTokens: 40 });
    expect(JSON.stringify(llm[0]!.input)).toContain('Where is my parcel?');
    expect(llm[0]!.attributes['gen_ai.operation.name']).toBe('chat');
  });

  it('is the same whichever encoding carried it', async () => {
    const gzipped = await getOk<TraceDetail>(collector.url, `/api/runs/${ids.billing}`);
    expect(gzipped.spans.map((span) => span.kind).sort()).toEqual(['agent', 'llm']);
    expect(gzipped.spans.find((span) => span.kind === 'llm')).toMatchObject({ model: 'acme-llm-7', costUsd: null });
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await getJson<{ error: string }>(collector.url, `/api/runs/${'ab'.repeat(16)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('abababab');
    const malformed = await getJson<{ error: string }>(collector.url, '/api/runs/not-a-trace');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^traceId: expected 32 hex characters/);
  });
});

describe('metrics', () => {
  it('group the runs by version (prompt and app versions together)', async () => {
    const metrics = await getOk<MetricsResponse>(collector.url, `/api/metrics?groupBy=version&from=${now - 3_600_000}&to=${now + 60_000}`);
    expect(metrics.step).toBeGreaterThanOrEqual(60_000);
    const runsPer = Object.fromEntries(metrics.series.map((s) => [s.group, s.points.reduce((sum, p) => sum + p.runs, 0)]));
    expect(runsPer).toEqual({ 'prompt=triage-v3 app=1.4.0': 1, 'app=1.5.0': 2, 'app=2.0.0': 1 });
    const v15 = metrics.series.find((s) => s.group === 'app=1.5.0')!.points.filter((p) => p.runs > 0);
    const point = v15[0]!;
    // Of the two 1.5.0 runs (maybe in two buckets) one failed and one succeeded.
    const successes = v15.reduce((sum, p) => sum + p.runs * (p.successRate ?? 0), 0);
    expect(successes).toBeCloseTo(1);
    expect(Object.keys(point).sort()).toEqual(
      ['costPerRun', 'costPerSuccess', 'escalationRate', 'p50Ms', 'p95Ms', 'p99Ms', 'runs', 'successRate', 't', 'tokensPerRun', 'toolErrorRate', 'violationsPerRun'].sort(),
    );
  });

  it('default to the last 24 hours and filter by service', async () => {
    const metrics = await getOk<MetricsResponse>(collector.url, '/api/metrics?service=billing-agent');
    expect(metrics.series.reduce((sum, s) => sum + s.points.reduce((n, p) => n + p.runs, 0), 0)).toBe(1);
    const points = metrics.series[0]!.points;
    expect(points.length).toBeLessThanOrEqual(100);
  });

  it('reject an unknown groupBy', async () => {
    const answer = await getJson<{ error: string }>(collector.url, '/api/metrics?groupBy=colour');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^groupBy:/);
  });
});

describe('live stream and health', () => {
  it('delivers a run event when a new run is stored', async () => {
    const stream = await openEventStream(collector.url);
    try {
      const [traceId] = await sendAgentRuns({ url: collector.url }, { serviceName: 'stream-agent' }, [
        { agent: 'stream_agent', question: 'ping', answer: 'pong', startTime: now - 20_000 },
      ]);
      const event = await stream.next((e) => e.event === 'run' && (JSON.parse(e.data) as Run).traceId === traceId);
      expect(JSON.parse(event.data)).toMatchObject({ traceId, service: 'stream-agent', outcome: 'success', llmCalls: 1 });
    } finally {
      stream.close();
    }
  });

  it('reports the database, the span count, the write queue and the exports in flight', async () => {
    const health = await getOk<HealthResponse>(collector.url, '/healthz');
    expect(health).toEqual({
      status: 'ok', db: collector.dbPath, spans: expect.any(Number), queueDepth: 0,
      ingest: { requestsInFlight: 0, bytesInFlight: 0, maxBytesInFlight: 4 * 1024 * 1024, waiting: 0, waited: 0, refused: 0, retryAfterSeconds: 1 },
    });
    expect(health.spans).toBeGreaterThanOrEqual(6 + 4 + 4 + 2);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const answer = await getJson<{ error: string }>(collector.url, '/api/nothing');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe('no route for GET /api/nothing');
  });
});
