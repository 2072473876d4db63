// The evaluations API driven through Hono's app.request against a real SQLite store: stored
// experiments read back case by case, the newest of a name as the baseline, the lookup
// `runlens gate` uses, and the dataset line of a stored run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config.ts';
import { agentRun, newTraceId } from '../store/agent-run-fixture.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { latestExperimentFor } from '../eval/experiments.ts';
import type { ExperimentDetail, ExperimentRecord, ExperimentSummary } from '../eval/experiments.ts';
import type { CheckResult } from '../eval/types.ts';
import { evaluateGate } from '../eval/verdict.ts';
import type { CaseResult } from '../eval/verdict.ts';
import { datasetLineRoutes, evalsRoutes } from './evals.ts';
import { Hono } from 'hono';
import { handleError } from './errors.ts';

let dir: string;
let store: Store;
let app: Hono;

function check(passed: boolean, overrides: Partial<CheckResult> = {}): CheckResult {
  return { name: 'refund within total', type: 'domain', passed, score: passed ? 1 : 0, label: passed ? 'pass' : 'fail', explanation: passed ? 'ok' : 'refunded 80 of 49.9', severity: 'major', spanId: 'b7ad6b7169203331', ...overrides };
}

function cases(passing: boolean[]): CaseResult[] {
  return passing.map((passed, i) => ({
    caseId: `case-${i}`,
    dataset: 'golden',
    suite: 'golden',
    severity: 'major',
    attack: null,
    trials: [{ trial: 1, traceId: '0af7651916cd43dd8448eb211c80319c', checks: [check(passed)] }],
  }));
}

function record(name: string, prompt: string, passing: boolean[], baseline: { id: number; name: string } | null = null): ExperimentRecord {
  return { name, variant: { prompt }, datasets: ['golden'], baseline, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_001_000, report: evaluateGate({ name, cases: cases(passing) }, null) };
}

async function post(body: unknown): Promise<Response> {
  return app.request('/api/evals', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runlens-evals-api-'));
  store = await openSqliteStore({ path: join(dir, 'evals.db'), retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 10_000 });
  app = new Hono();
  app.route('/api/runs', datasetLineRoutes(store));
  app.route('/api/evals', evalsRoutes(store));
  app.onError(handleError);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('experiments', () => {
  it('stores an experiment with every case and trial and reads it back by name', async () => {
    expect((await post(record('main', 'v1', [true, true, false]))).status).toBe(201);
    const detail = (await (await app.request('/api/evals/main')).json()) as ExperimentDetail;
    expect(detail).toMatchObject({ name: 'main', variant: { prompt: 'v1' }, verdict: 'pass', cases: 3, passed: 2, suites: { golden: { cases: 3, passed: 2 } } });
    expect(detail.results.map((c) => [c.caseId, c.passed])).toEqual([['case-0', true], ['case-1', true], ['case-2', false]]);
    expect(detail.results[2]!.trials[0]!.checks[0]).toMatchObject({ label: 'fail', explanation: 'refunded 80 of 49.9', spanId: 'b7ad6b7169203331' });
  });

  it('serves the newest experiment of a name, lists all newest first, and finds one by id', async () => {
    const { id } = (await (await post(record('main', 'v2', [true, true, true]))).json()) as { id: number };
    const { experiments } = (await (await app.request('/api/evals')).json()) as { experiments: ExperimentSummary[] };
    expect(experiments.map((e) => [e.name, e.variant.prompt])).toEqual([['main', 'v2'], ['main', 'v1']]);
    expect(((await (await app.request('/api/evals/main')).json()) as ExperimentDetail).id).toBe(id);
    expect(((await (await app.request(`/api/evals/${id - 1}`)).json()) as ExperimentDetail).variant.prompt).toBe('v1');
    expect((await app.request('/api/evals/nothing')).status).toBe(404);
  });

  it('gives runlens gate the newest experiment of a version', () => {
    expect(latestExperimentFor(store, 'prompt', 'v1')).toMatchObject({ variant: { prompt: 'v1' }, passed: 2 });
    expect(latestExperimentFor(store, 'prompt', 'v9')).toBeNull();
  });

  it('refuses a malformed experiment naming the wrong field', async () => {
    const bad = record('x', 'v1', [true]);
    (bad.report.results[0] as { suite: string }).suite = 'silver';
    const response = await post(bad);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('report.results[0].suite: must be one of golden, adversarial');
    expect((await post({ name: '' })).status).toBe(400);
  });
});

describe('dataset line of a stored run', () => {
  it('builds a case from the run with its tool calls and source trace, and 404 for an unknown run', async () => {
    const traceId = newTraceId();
    await store.write(agentRun({ traceId, startMs: Date.now(), steps: 1 }));
    const answer = (await (await app.request(`/api/runs/${traceId}/dataset-line`)).json()) as { line: string; case: Record<string, unknown> };
    expect(JSON.parse(answer.line)).toEqual(answer.case);
    expect(answer.case).toMatchObject({ id: `trace-${traceId.slice(0, 12)}`, suite: 'golden', source: { traceId } });
    expect((await app.request(`/api/runs/${newTraceId()}/dataset-line`)).status).toBe(404);
  });
});
