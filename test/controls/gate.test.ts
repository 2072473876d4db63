// The release gate end to end: synthetic runs of two prompt versions sent through OTLP to a real
// collector, then `runlens gate` against its API (--url) and its database file (--db).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/api.ts';
import { runCli, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns, type AgentRunSpec } from '../helpers/otel.ts';

let collector: RunningCollector;

/** `n` runs of `version`, `failures` of them failing, started over the last few minutes. */
function runs(version: string, n: number, failures: number, extra: Partial<AgentRunSpec> = {}): AgentRunSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    agent: 'support',
    promptVersion: version,
    question: `question ${i}`,
    answer: `answer ${i}`,
    tools: [{ name: 'lookup_order', arguments: { orderId: `A-${i}` }, result: { status: 'shipped' } }],
    ...(i < failures && { failure: 'the model gave up' }),
    startTime: Date.now() - 60_000 - i * 1000,
    ...extra,
  }));
}

beforeAll(async () => {
  collector = await startCollector();
  const target = { url: collector.url };
  // A regression: v2 fails half its runs where v1 failed one in forty.
  await sendAgentRuns(target, { serviceName: 'gate-regress' }, [...runs('v1', 40, 1), ...runs('v2', 40, 20)]);
  // No change: both versions behave the same.
  await sendAgentRuns(target, { serviceName: 'gate-same' }, [...runs('v1', 30, 2), ...runs('v2', 30, 2)]);
  // Too few runs to tell anything.
  await sendAgentRuns(target, { serviceName: 'gate-few' }, [...runs('v1', 5, 0), ...runs('v2', 5, 3)]);
});

afterAll(async () => {
  await collector?.stop();
});

const gate = (service: string, ...extra: string[]) => ['gate', '--baseline', 'prompt=v1', '--candidate', 'prompt=v2', '--service', service, ...extra];

describe('runlens gate', () => {
  it('exits 1 on a regression and names the metric and by how much', async () => {
    const result = await runCli([...gate('gate-regress'), '--url', collector.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('REGRESSION (exit 1)');
    expect(result.stdout).toMatch(/- success rate fell 47\.5 points \(97\.5% → 50%\), p = /);
  });

  it('gives the same answer reading the database file read-only while the collector runs', async () => {
    const result = await runCli([...gate('gate-regress'), '--db', collector.dbPath, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.verdict).toBe('regression');
    expect(report.baseline).toEqual({ selector: 'prompt=v1', runs: 40 });
    expect(report.candidate).toEqual({ selector: 'prompt=v2', runs: 40 });
    const success = report.metrics.find((m: { metric: string }) => m.metric === 'successRate');
    expect(success).toMatchObject({ verdict: 'regression', baseline: 0.975, candidate: 0.5 });
    expect(success.pValue).toBeLessThan(0.001);
    expect(report.regressions).toHaveLength(1);
  });

  it('exits 0 when the candidate behaves like the baseline', async () => {
    const result = await runCli([...gate('gate-same'), '--url', collector.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PASS (exit 0)');
  });

  it('exits 3 with too few runs instead of passing', async () => {
    const result = await runCli([...gate('gate-few'), '--url', collector.url]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('INCONCLUSIVE (exit 3): too few runs');
    expect(result.stdout).toContain('too few runs (baseline 5, candidate 5; at least 20 each are needed)');
    // A lower bar is the caller's explicit choice, and then the difference is judged.
    const lowered = await runCli([...gate('gate-few'), '--url', collector.url, '--min-runs', '5']);
    expect([1, 3]).toContain(lowered.code);
    expect(lowered.stdout).not.toContain('at least 20');
  });

  it('a tolerance lets a small drop through', async () => {
    const result = await runCli([...gate('gate-regress'), '--url', collector.url, '--max-success-drop', '50%']);
    expect(result.stdout).toMatch(/success rate .*not worse than the tolerance|pass/);
    expect(result.stdout).not.toContain('- success rate fell');
  });

  it('exits 2 on wrong usage', async () => {
    const bad = await runCli(['gate', '--baseline', 'colour=v1', '--candidate', 'prompt=v2', '--db', collector.dbPath]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--baseline: expected KEY=VALUE with KEY one of prompt, policy, app, model');
    const both = await runCli([...gate('x'), '--db', collector.dbPath, '--url', collector.url]);
    expect(both.code).toBe(2);
  });

  it('the API answers the same comparison and lists the versions seen', async () => {
    const answer = await getJson<{ verdict: string; exitCode: number }>(collector.url, '/api/gate?baseline=prompt%3Dv1&candidate=prompt%3Dv2&service=gate-same&since=1h');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ verdict: 'pass', exitCode: 0 });
    const bad = await getJson<{ error: string }>(collector.url, '/api/gate?baseline=prompt%3Dv1');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('candidate: required');
    const versions = await getJson<{ prompt: { value: string; runs: number }[] }>(collector.url, '/api/gate/versions?service=gate-regress');
    expect(versions.body.prompt).toEqual([
      { value: 'v1', runs: 40 },
      { value: 'v2', runs: 40 },
    ]);
  });

  // Last: the experiments it stores count for every later comparison of these versions.
  it('includes the evaluation experiments of both versions when `runlens eval` stored them', async () => {
    // Two experiments as `runlens eval` stores them (eval_experiments, eval_trials): v1 passed 20
    // of 20 cases, v2 only 9.
    const db = new Database(collector.dbPath);
    db.pragma('busy_timeout = 5000');
    const addExperiment = (name: string, prompt: string, passed: number) => {
      const id = db
        .prepare(`INSERT INTO eval_experiments (name, variant, datasets, verdict, exit_code, summary, started_at, finished_at, created_by)
                  VALUES (?, ?, '["support"]', 'pass', 0, '{}', 0, 0, 'test')`)
        .run(name, JSON.stringify({ prompt })).lastInsertRowid;
      for (let i = 0; i < 20; i++) {
        db.prepare(`INSERT INTO eval_trials (experiment_id, dataset, case_id, suite, severity, trial, passed, checks) VALUES (?, 'support', ?, 'golden', 'normal', 1, ?, '[]')`).run(id, `case-${i}`, i < passed ? 1 : 0);
      }
    };
    addExperiment('nightly-v1', 'v1', 20);
    addExperiment('nightly-v2', 'v2', 9);
    db.close();
    const result = await runCli([...gate('gate-same'), '--url', collector.url, '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.evaluations).toBe('compared');
    const evals = report.metrics.find((m: { metric: string }) => m.metric === 'evalPassRate');
    expect(evals).toMatchObject({ label: 'evaluation cases passed (nightly-v1 vs nightly-v2)', baseline: 1, candidate: 0.45, verdict: 'regression' });
    expect(result.code).toBe(1);
  });
});
