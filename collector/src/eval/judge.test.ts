import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDataset } from './dataset.ts';
import { judgeTrial, toCaseResult } from './judge.ts';
import { makeTrace } from './test-traces.ts';
import { evaluateGate } from './verdict.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlens-judge-'));
  await writeFile(join(dir, 'rules.mjs'), 'export const refundWithinTotal = ({ before, after }) => after.orders["7"].refunded <= before.orders["7"].total;\n');
  const line = {
    id: 'refund-7',
    suite: 'golden',
    severity: 'critical',
    input: 'Refund order 7 please',
    env: { orders: { '7': { status: 'delivered', total: 25 } } },
    checks: [
      { type: 'tool_called', tool: 'refund', args: { order: 7 } },
      { type: 'state', expect: { 'orders.7.status': 'refunded', 'orders.7.refunded': { approx: 25, tol: 0.01 } }, strict: true, severity: 'major' },
      { type: 'domain', module: './rules.mjs', export: 'refundWithinTotal' },
    ],
  };
  await writeFile(join(dir, 'golden.jsonl'), `${JSON.stringify(line)}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("judges a trial with the case's env as the before-state and domain modules beside the dataset", async () => {
  const loaded = await loadDataset(join(dir, 'golden.jsonl'));
  if (!loaded.ok) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  const { dataset } = loaded;
  const evalCase = dataset.cases[0]!;
  const trace = makeTrace({ output: 'Refunded.', tools: [{ tool: 'refund', args: { order: 7, amount: 25 } }] });

  const good = await judgeTrial(dataset, evalCase, {
    trial: 1,
    trace,
    after: { orders: { '7': { status: 'refunded', total: 25, refunded: 25 } } },
  });
  expect(good.passed).toBe(true);
  expect(good.checks.map((check) => [check.type, check.severity, check.label])).toEqual([
    ['tool_called', 'critical', 'pass'],
    ['state', 'major', 'pass'],
    ['domain', 'critical', 'pass'],
  ]);

  // The before-state is the case's env: changing anything else breaks the strict state check.
  const sloppy = await judgeTrial(dataset, evalCase, {
    trial: 2,
    trace,
    after: { orders: { '7': { status: 'refunded', total: 0, refunded: 25 } } },
  });
  expect(sloppy.checks[1]!.explanation).toBe('fields changed that were not expected to: orders.7.total');

  const over = await judgeTrial(dataset, evalCase, {
    trial: 3,
    trace,
    after: { orders: { '7': { status: 'refunded', total: 25, refunded: 40 } } },
  });
  expect(over.checks[2]).toMatchObject({ type: 'domain', passed: false, severity: 'critical' });

  const report = evaluateGate({ name: 'v1', cases: [toCaseResult(dataset, evalCase, [good, over])] }, null);
  expect(report).toMatchObject({ verdict: 'critical', exitCode: 2, critical: { failed: 1, cases: ['golden/refund-7'] } });
  expect(report.results[0]!.trials.map((trial) => trial.traceId)).toEqual([trace.run.traceId, trace.run.traceId]);
});
