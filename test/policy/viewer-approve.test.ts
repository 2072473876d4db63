// In a real browser: an approver opens the Approvals inbox, sees the waiting request with its
// run and arguments, approves it with a comment, and the agent waiting on it continues. The
// Policy page shows the table per identity and the span panel shows the decision.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunlensClient } from '@runlens/sdk';
import type { Browser, Page } from 'playwright-core';
import { buildViewer, launchChromium, openPage } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { examplePolicy, waitForTrace } from './fixtures.ts';

let collector: RunningCollector;
let browser: Browser;
let page: Page;
let agent: RunlensClient;

beforeAll(async () => {
  buildViewer();
  collector = await startCollector();
  const file = join(makeTempDir(), 'runlens.policy.yaml');
  writeFileSync(file, examplePolicy('3'));
  const applied = await runCli(['policy', 'apply', file, '--db', collector.dbPath]);
  expect(applied.code, applied.stderr).toBe(0);
  agent = new RunlensClient({ service: 'support-agent', endpoint: collector.url, policy: 'remote', flushOnExit: false, scheduledDelayMillis: 50 });
  browser = await launchChromium();
  ({ page } = await openPage(browser, { height: 900 }));
});

afterAll(async () => {
  await agent?.shutdown();
  await browser?.close();
  await collector?.stop();
});

describe('approvals in the viewer', () => {
  it("unblocks a waiting agent when an approver clicks Approve, and shows the decision on the tool's span", async () => {
    let refunded = false;
    let traceId = '';
    const running = agent.run('support', { userId: 'dave' }, async (run) => {
      traceId = run.traceId;
      return run.tool('refund', { order: 'o_77', amount: 420 }, () => ((refunded = true), 'refunded'));
    });

    await page.goto(`${collector.url}/approvals`);
    const request = page.locator('li.request', { hasText: 'refund' });
    await request.waitFor({ timeout: 15_000 });
    expect(await request.textContent()).toContain('o_77');
    expect(await request.textContent()).toContain('finance (alice, carol)');
    expect(await request.getAttribute('data-trace-id')).toBe(traceId);
    expect(refunded).toBe(false);

    await page.fill('input[name="approver"]', 'alice');
    await request.locator('input[name="comment"]').fill('order checked');
    await request.locator('button.approve').click();
    await expect(running).resolves.toBe('refunded');
    expect(refunded).toBe(true);
    await page.locator('tr[data-status="approved"]', { hasText: 'order checked' }).waitFor();

    await agent.forceFlush();
    const trace = await waitForTrace(collector.url, traceId);
    const tool = trace.spans.find((s) => s.kind === 'tool')!;
    await page.goto(`${collector.url}/traces/${traceId}?span=${tool.spanId}`);
    const decision = page.locator('[data-testid="policy-decision"]');
    await decision.waitFor();
    expect(await decision.getAttribute('data-decision')).toBe('approval_required');
    expect(await decision.textContent()).toContain('alice (finance)');
  });

  it('renders the policy as a table per identity: what may run, what needs approval and who approves', async () => {
    await page.goto(`${collector.url}/policy`);
    await page.locator('[data-identity="support-agent"]').waitFor();
    expect(await page.locator('[data-testid="policy-version"]').textContent()).toBe('3');
    const refund = page.locator('[data-identity="support-agent"] tr[data-tool="refund"][data-decision="approval"]');
    expect(await refund.textContent()).toContain('finance');
    expect(await refund.textContent()).toContain('within 24h');
    expect(await page.locator('[data-identity="support-agent"] tr[data-tool="delete_*"][data-decision="deny"]').count()).toBe(1);
    expect(await page.locator('[data-identity="drafting-agent"] tr[data-tool="send_email"][data-decision="draft"]').count()).toBe(1);
  });
});
