// One trace read in parts, through the whole app against a real SQLite store: the light form
// (`?contents=false`) has everything but inputs, outputs and attributes; one span read alone is
// the span of the full trace; both are written to the access log like the full trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, TraceDetail, TraceSummary } from '@runlens/schema';
import { runInputOutput } from '@runlens/schema';
import { createApp } from '../app.ts';
import { DEFAULT_CONFIG } from '../config.ts';
import { createSecurity, type Security } from '../auth/security.ts';
import { agentRun, newTraceId } from '../store/agent-run-fixture.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';

let dir: string;
let store: Store;
let security: Security;
let app: ReturnType<typeof createApp>;
const traceId = newTraceId();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-runs-api-'));
  store = await openSqliteStore({ path: join(dir, 'runs.db'), retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 10_000 });
  security = createSecurity(store);
  app = createApp({ store, security, config: { maxBodyBytes: 1 << 20, viewerDir: null, prices: {} } });
  await store.write(agentRun({ traceId, startMs: Date.now() - 60_000, steps: 2 }));
});

afterAll(async () => {
  await security.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await app.request(path);
  return { status: response.status, body: (await response.json()) as T };
}

describe('a trace read in parts', () => {
  it('?contents=false answers every span without input, output or attributes, the rest as the full trace has it', async () => {
    const full = await get<TraceDetail>(`/api/runs/${traceId}`);
    const light = await get<TraceSummary>(`/api/runs/${traceId}?contents=false`);
    expect(light.status).toBe(200);
    expect(light.body.run).toEqual(full.body.run);
    expect(light.body.spans.length).toBe(full.body.spans.length);
    for (const [i, span] of light.body.spans.entries()) {
      expect(span).not.toHaveProperty('input');
      expect(span).not.toHaveProperty('output');
      expect(span).not.toHaveProperty('attributes');
      const { input: _in, output: _out, attributes: _attributes, ...rest } = full.body.spans[i]!;
      expect(span).toEqual(rest);
    }
    expect(full.body.spans.some((s) => s.input !== null)).toBe(true);
  });

  it('?contents=false says what the run was asked and answered, as read from the full trace', async () => {
    const full = await get<TraceDetail>(`/api/runs/${traceId}`);
    const light = await get<TraceSummary>(`/api/runs/${traceId}?contents=false`);
    const { input, output } = runInputOutput(full.body.spans);
    expect(input).not.toBeNull();
    expect(output).not.toBeNull();
    expect({ asked: light.body.asked, answered: light.body.answered }).toEqual({ asked: input, answered: output });
  });

  it('one span read alone is the span of the full trace', async () => {
    const full = await get<TraceDetail>(`/api/runs/${traceId}`);
    for (const span of full.body.spans) {
      const one = await get<Span>(`/api/runs/${traceId}/spans/${span.spanId.toUpperCase()}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(span);
    }
  });

  it('answers 404 for an unknown trace or span and 400 for a malformed one', async () => {
    expect((await get(`/api/runs/${newTraceId()}?contents=false`)).status).toBe(404);
    expect((await get(`/api/runs/${traceId}/spans/00000000000000ab`)).status).toBe(404);
    const bad = await get<{ error: string }>(`/api/runs/${traceId}/spans/xyz`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^spanId: expected 16 hex characters/);
    expect((await get(`/api/runs/${traceId}?contents=no`)).status).toBe(400);
  });

  it('writes a read of one span to the access log as a read of its trace', async () => {
    const spanId = (await get<TraceSummary>(`/api/runs/${traceId}?contents=false`)).body.spans[0]!.spanId;
    const before = (await security.accessLog.list({ traceId, limit: 100 })).entries.length;
    await get(`/api/runs/${traceId}/spans/${spanId}`);
    const after = await security.accessLog.list({ traceId, limit: 100 });
    expect(after.entries.length).toBe(before + 1);
    expect(after.entries[0]).toMatchObject({ traceId, action: 'trace', principal: 'local' });
  });
});
