// `runlens policy audit` replays stored tool spans from any client: here a plain OpenTelemetry
// exporter (no Runlens SDK) sends a run that called a denied tool and a gated one without approval.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import type { TraceDetail } from '@runlens/schema';
import { RunlensClient } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOk } from '../helpers/api.ts';
import { makeTempDir, runCli, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendSpans } from '../helpers/otel.ts';
import { eventually, examplePolicy } from './fixtures.ts';

let collector: RunningCollector;

beforeAll(async () => {
  collector = await startCollector();
  const file = join(makeTempDir(), 'runlens.policy.yaml');
  writeFileSync(file, examplePolicy('3'));
  const applied = await runCli(['policy', 'apply', file, '--db', collector.dbPath]);
  expect(applied.code, applied.stderr).toBe(0);
});

afterAll(async () => {
  await collector?.stop();
});

/** A run recorded with a bare OTel tracer: GenAI tool spans, nothing from Runlens. */
async function sendRun(): Promise<string> {
  return sendSpans({ url: collector.url }, { serviceName: 'support-agent' }, (tracer) => {
    const root = tracer.startSpan('invoke_agent support', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'user.id': 'dave' } });
    const ctx = trace.setSpan(context.active(), root);
    const tools: Array<[string, Record<string, unknown>]> = [
      ['lookup_order', { id: 'o_1' }],
      ['delete_customer', { id: 'c_9' }],
      ['refund', { order: 'o_1', amount: 700 }],
    ];
    for (const [name, args] of tools) {
      tracer
        .startSpan(`execute_tool ${name}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'gen_ai.tool.call.arguments': JSON.stringify(args) } }, ctx)
        .end();
    }
    root.end();
    return root.spanContext().traceId;
  });
}

describe('runlens policy audit', () => {
  it('does not flag calls our SDK refused or that waited for an approval that never came', async () => {
    const agent = new RunlensClient({
      service: 'support-agent',
      endpoint: collector.url,
      policy: 'remote',
      flushOnExit: false,
      onApproval: () => ({ decision: 'reject', approver: 'alice' }),
    });
    let traceId = '';
    await agent.run('support', { userId: 'dave' }, async (run) => {
      traceId = run.traceId;
      await run.tool('refund', { order: 'o_9', amount: 999 }, () => 'refunded').catch(() => null);
      await run.tool('delete_customer', { id: 'c_1' }, () => 'deleted').catch(() => null);
      await run.tool('refund', { order: 'o_9', amount: 20 }, () => 'refunded');
    });
    await agent.shutdown();
    await eventually(async () => ((await getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`).catch(() => null))?.spans.length === 4 ? true : undefined));
    const audit = await runCli(['policy', 'audit', '--since', '1h', '--json', '--db', collector.dbPath]);
    const report = JSON.parse(audit.stdout) as { findings: Array<{ traceId: string }> };
    expect(report.findings.filter((f) => f.traceId === traceId)).toEqual([]);
  });

  it('flags a denied tool call and a call that ran without its approval, and records them on the run once', async () => {
    const traceId = await sendRun();
    await eventually(async () => ((await getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`).catch(() => null))?.spans.length === 4 ? true : undefined));

    const audit = await runCli(['policy', 'audit', '--since', '1h', '--service', 'support-agent', '--db', collector.dbPath]);
    expect(audit.code, audit.stderr).toBe(1);
    expect(audit.stdout).toMatch(/denied\s+support-agent delete_customer/);
    expect(audit.stdout).toMatch(/missing_approval\s+support-agent refund/);
    expect(audit.stdout).not.toMatch(/lookup_order trace/);
    expect(audit.stdout).toContain('2 violations');

    const run = await eventually(async () => {
      const detail = await getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`);
      return detail.run.policyViolations === 2 ? detail.run : undefined;
    });
    expect(run.policyViolations).toBe(2);

    // Auditing again finds the same calls but records each one once.
    const again = await runCli(['policy', 'audit', '--since', '1h', '--db', collector.dbPath]);
    expect(again.code).toBe(1);
    const detail = await getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`);
    expect(detail.run.policyViolations).toBe(2);
  });

  it('checks a policy file and exits non-zero on errors naming the line and field', async () => {
    const file = join(makeTempDir(), 'bad.policy.yaml');
    writeFileSync(file, examplePolicy('4').replace('approvers: [finance]', 'approvers: [treasury]'));
    const result = await runCli(['policy', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('treasury');
    const good = join(makeTempDir(), 'good.policy.yaml');
    writeFileSync(good, examplePolicy('4'));
    expect((await runCli(['policy', 'check', good])).code).toBe(0);
  });
});
