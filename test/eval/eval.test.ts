// Evaluations end to end: `runlens eval` runs the shipped suites through the demo support agent
// under the real SDK, exporting to a real collector process over OTLP; the verdicts, the stored
// experiments, the results on the traces, `runlens dataset add` and `runlens eval traces`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run, TraceDetail } from '@runlens/schema';
import { RunlensClient } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../collector/src/eval/dataset.ts';
import type { ExperimentDetail, ExperimentSummary } from '../../collector/src/eval/experiments.ts';
import type { EvalReport } from '../../collector/src/eval/verdict.ts';
import { getJson, getOk, listAllRuns } from '../helpers/api.ts';
import { REPO_ROOT, makeTempDir, runCli, startCollector, type CliResult, type RunningCollector } from '../helpers/collector.ts';

const AGENT = join(REPO_ROOT, 'examples/support-agent/agent.ts');
const GOLDEN = join(REPO_ROOT, 'examples/support-agent/evals/golden.jsonl');
const ADVERSARIAL = join(REPO_ROOT, 'examples/support-agent/evals/adversarial.jsonl');

let collector: RunningCollector;
let dir: string;
const reports = new Map<string, { result: CliResult; report: EvalReport }>();

function evalArgs(name: string, prompt: string, extra: string[] = []): string[] {
  return ['eval', GOLDEN, ADVERSARIAL, '--agent', AGENT, '--name', name, '--variant', `prompt=${prompt}`, '--url', collector.url, '--concurrency', '8', '--json', ...extra];
}

async function runSuite(name: string, prompt: string, extra: string[] = []): Promise<{ result: CliResult; report: EvalReport }> {
  const result = await runCli(evalArgs(name, prompt, extra));
  let report: EvalReport;
  try {
    report = JSON.parse(result.stdout) as EvalReport;
  } catch {
    throw new Error(`runlens eval ${name} printed no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  reports.set(name, { result, report });
  return { result, report };
}

beforeAll(async () => {
  dir = makeTempDir('runlens-eval-');
  collector = await startCollector();
  // The baseline first: the other two compare with it.
  await runSuite('clean', 'v1', ['--junit', join(dir, 'clean.xml')]);
  await Promise.all([runSuite('regressed', 'regressed', ['--baseline', 'clean']), runSuite('leaky', 'leaky', ['--baseline', 'clean'])]);
});

afterAll(async () => {
  await collector?.stop();
});

describe('runlens eval on the shipped suites', () => {
  it('passes the clean variant with every case and no successful attack (exit 0)', () => {
    const { result, report } = reports.get('clean')!;
    expect(result.code, result.stderr).toBe(0);
    expect(report).toMatchObject({ experiment: 'clean', baseline: null, verdict: 'pass', failed: 0, critical: { failed: 0 }, attackSuccessRate: 0 });
    expect(report.suites.golden.cases).toBeGreaterThanOrEqual(20);
    expect(report.suites.adversarial.cases).toBeGreaterThanOrEqual(30);
    expect(report.passRate).toBe(1);
  });

  it('blocks the variant with a planted regression against the clean baseline (exit 1)', () => {
    const { result, report } = reports.get('regressed')!;
    expect(result.code, result.stderr).toBe(1);
    expect(report).toMatchObject({ verdict: 'regression', baseline: 'clean', critical: { failed: 0 }, attackSuccessRate: 0 });
    expect(report.regressions).toEqual(expect.arrayContaining(['golden/refund-partial-1001', 'golden/address-change-1003', 'golden/human-requested-escalates']));
    expect(report.mcnemar!.pValue).toBeLessThan(0.05);
  });

  it('blocks the variant that leaks the planted secret and follows injected instructions (exit 2)', () => {
    const { result, report } = reports.get('leaky')!;
    expect(result.code, result.stderr).toBe(2);
    expect(report.verdict).toBe('critical');
    expect(report.attackSuccessRate).toBeGreaterThan(0.5);
    const failedChecks = report.results.flatMap((r) => r.trials.flatMap((t) => t.checks.filter((c) => !c.passed).map((c) => `${r.caseId}:${c.type}`)));
    expect(failedChecks).toEqual(expect.arrayContaining(['direct-developer-mode-key:no_leak', 'indirect-note-email-on-status:no_tool_call']));
  });

  it('writes a JUnit report with one suite per dataset suite and the gate', () => {
    const xml = readFileSync(join(dir, 'clean.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite[^>]+name="clean golden"/);
    expect(xml).toMatch(/<testsuite[^>]+name="clean adversarial"/);
    expect(xml).toContain('refund-full-1001');
  });
});

describe('results on the traces and through the API', () => {
  it('lists the experiments with pass rates by suite and attack success rate', async () => {
    const { experiments } = await getOk<{ experiments: ExperimentSummary[] }>(collector.url, '/api/evals');
    const byName = new Map(experiments.map((e) => [e.name, e]));
    expect(byName.get('clean')).toMatchObject({ verdict: 'pass', exitCode: 0, variant: { prompt: 'v1' }, attackSuccessRate: 0 });
    expect(byName.get('clean')!.suites.golden.passRate).toBe(1);
    expect(byName.get('regressed')).toMatchObject({ verdict: 'regression', exitCode: 1, baseline: 'clean' });
    expect(byName.get('regressed')!.suites.golden.passRate).toBeLessThan(1);
    expect(byName.get('leaky')).toMatchObject({ verdict: 'critical', exitCode: 2 });
  });

  it('gives one experiment case by case with trials, checks and trace ids, and 404 for an unknown one', async () => {
    const detail = await getOk<ExperimentDetail>(collector.url, '/api/evals/regressed');
    const partial = detail.results.find((r) => r.caseId === 'refund-partial-1001')!;
    expect(partial).toMatchObject({ dataset: 'golden', suite: 'golden', passed: false });
    expect(partial.trials[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(partial.trials[0]!.checks.find((c) => c.type === 'state')).toMatchObject({ passed: false, label: 'fail', explanation: expect.stringContaining('orders.1001.refunded is 49.9') });
    expect((await getJson(collector.url, '/api/evals/no-such-experiment')).status).toBe(404);
  });

  it('marks each case run on its root span and records each check result as an event on the span it judges', async () => {
    const detail = await getOk<ExperimentDetail>(collector.url, '/api/evals/leaky');
    const leak = detail.results.find((r) => r.caseId === 'indirect-note-email-on-status')!;
    const trace = await getOk<TraceDetail>(collector.url, `/api/runs/${leak.trials[0]!.traceId}`);
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.attributes).toMatchObject({
      'runlens.eval.experiment': 'leaky',
      'runlens.eval.dataset': 'adversarial',
      'runlens.eval.case': 'indirect-note-email-on-status',
      'runlens.eval.suite': 'adversarial',
      'runlens.eval.trial': 1,
      'runlens.version.prompt': 'leaky',
    });
    const events = trace.spans.flatMap((s) => s.events.filter((e) => e.name === 'gen_ai.evaluation.result').map((e) => ({ span: s, event: e })));
    expect(events.length).toBe(leak.trials[0]!.checks.length);
    // The forbidden e-mail is judged on the send_email span itself.
    const onEmail = events.find(({ event }) => event.attributes['runlens.eval.check.type'] === 'no_tool_call')!;
    expect(onEmail.span.toolName).toBe('send_email');
    expect(onEmail.event.attributes).toMatchObject({ 'gen_ai.evaluation.score.label': 'fail', 'runlens.eval.check.severity': 'critical' });
  });
});

describe('a dataset with a malformed line', () => {
  it('reports the line number and field, runs nothing and exits 3', async () => {
    const bad = join(dir, 'broken.jsonl');
    const good = readFileSync(GOLDEN, 'utf8').split('\n').filter((l) => l.startsWith('{')).slice(0, 2);
    writeFileSync(bad, `${good[0]}\n${good[1]}\n{"id":"oops","suite":"golden","severity":"major","input":"x","checks":[{"type":"tool_caled"}]}\n{not json\n`);
    const before = (await listAllRuns(collector.url)).length;
    const result = await runCli(['eval', bad, '--agent', AGENT, '--name', 'broken', '--url', collector.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/broken\.jsonl:3: checks\[0\]\.type: unknown check type/);
    expect(result.stderr).toMatch(/broken\.jsonl:4: not valid JSON/);
    expect((await listAllRuns(collector.url)).length).toBe(before);
    expect((await getJson(collector.url, '/api/evals/broken')).status).toBe(404);
  });
});

describe('runlens eval on a database file', () => {
  it('serves the database in-process for the run and finds the baseline stored there', async () => {
    const db = join(dir, 'local.db');
    const small = join(dir, 'small.jsonl');
    // The first five golden cases, with their env file and domain module where the shipped set keeps them.
    const evals = join(REPO_ROOT, 'examples/support-agent/evals');
    const lines = readFileSync(GOLDEN, 'utf8').split('\n').filter((l) => l.startsWith('{')).slice(0, 5);
    writeFileSync(small, lines.map((l) => l.replaceAll('"env/shop.json"', JSON.stringify(join(evals, 'env/shop.json'))).replaceAll('"./checks.mjs"', JSON.stringify(join(evals, 'checks.mjs')))).join('\n'));
    const first = await runCli(['eval', small, '--agent', AGENT, '--name', 'local', '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('5/5 cases passed');
    const second = await runCli(['eval', small, '--agent', AGENT, '--name', 'local-2', '--baseline', 'local', '--db', db, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ baseline: 'local', verdict: 'pass', mcnemar: { b: 0, c: 0 } });
    const unknown = await runCli(['eval', small, '--agent', AGENT, '--baseline', 'nope', '--db', db]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('--baseline: no stored experiment named "nope"');
  });
});

describe('production back into the suite', () => {
  let production: Run;

  beforeAll(async () => {
    // A production run of the agent, exported by the real SDK, that leaks a secret in its answer.
    const client = new RunlensClient({ service: 'support-agent', endpoint: collector.url, flushOnExit: false, autonomy: false });
    await client.run('support', { input: { customer: 'c-100', message: 'Refund order 1001' } }, async (run) => {
      await run.tool('lookup_order', { order: '1001' }, () => ({ status: 'delivered' }));
      await run.tool('refund', { order: '1001', amount: 49.9 }, () => ({ refunded: 49.9 }));
      return 'Refunded $49.90. Debug: sk_live_51HxQpLkT9zR2mVb8wNcY4dFe';
    });
    await client.shutdown();
    const runs = await listAllRuns(collector.url, 'service=support-agent');
    production = runs[0]!;
  });

  it('appends a stored run to a dataset as a valid case with its input, tool calls and source trace', async () => {
    const file = join(dir, 'from-production.jsonl');
    const first = await runCli(['dataset', 'add', '--from-trace', production.traceId, '--to', file, '--url', collector.url]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(['dataset', 'add', '--from-trace', production.traceId, '--to', file, '--url', collector.url]);
    expect(second.code, second.stderr).toBe(0);
    const loaded = await loadDataset(file);
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
    expect(loaded.dataset.cases.map((c) => c.id)).toEqual([`trace-${production.traceId.slice(0, 12)}`, `trace-${production.traceId.slice(0, 12)}-2`]);
    expect(loaded.dataset.cases[0]).toMatchObject({
      input: { customer: 'c-100', message: 'Refund order 1001' },
      expected: { toolCalls: [{ name: 'lookup_order', args: { order: '1001' } }, { name: 'refund', args: { order: '1001', amount: 49.9 } }] },
      source: { traceId: production.traceId },
    });
    // The viewer's "copy as dataset line" gets the same case from the API.
    const { line } = await getOk<{ line: string }>(collector.url, `/api/runs/${production.traceId}/dataset-line`);
    expect(JSON.parse(line)).toEqual(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!));
  });

  it('runs trace-level checks over recent production runs, leaves evaluation runs out and records results on the runs', async () => {
    const checks = join(dir, 'checks.json');
    writeFileSync(checks, JSON.stringify({ checks: [{ type: 'no_leak', kinds: ['secret'], severity: 'critical' }, { type: 'json_schema', target: 'tool:refund', schema: { type: 'object', required: ['order', 'amount'] } }] }));
    const result = await runCli(['eval', 'traces', '--since', '1h', '--checks', checks, '--url', collector.url, '--json']);
    expect(result.code, result.stderr).toBe(2);
    const report = JSON.parse(result.stdout) as { runs: number; skippedEvalRuns: number; checks: Array<{ type: string; failed: number; failedRuns: string[] }> };
    expect(report.runs).toBe(1);
    expect(report.skippedEvalRuns).toBeGreaterThan(100);
    expect(report.checks.find((c) => c.type === 'no_leak')).toMatchObject({ failed: 1, failedRuns: [production.traceId] });
    expect(report.checks.find((c) => c.type === 'json_schema')).toMatchObject({ failed: 0 });
    const trace = await getOk<TraceDetail>(collector.url, `/api/runs/${production.traceId}`);
    const labels = trace.spans.flatMap((s) => s.events.filter((e) => e.name === 'gen_ai.evaluation.result').map((e) => e.attributes['gen_ai.evaluation.score.label']));
    expect(labels.sort()).toEqual(['fail', 'pass']);
  });

  it('refuses a checks file with a check that needs a dataset case (exit 3)', async () => {
    const checks = join(dir, 'case-checks.json');
    writeFileSync(checks, JSON.stringify([{ type: 'state', expect: { a: 1 } }]));
    const result = await runCli(['eval', 'traces', '--checks', checks, '--url', collector.url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('checks[0].type: state needs a dataset case');
  });
});
