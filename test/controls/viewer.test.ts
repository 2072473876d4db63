// The controls in a real browser: the dashboards' compare panel judging two prompt versions, the
// Alerts page and its badge with a rule firing, and the kill switch set from the viewer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildViewer, launchChromium, openPage } from '../helpers/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOk } from '../helpers/api.ts';
import { makeTempDir, REPO_ROOT, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns, type AgentRunSpec } from '../helpers/otel.ts';

const SCREENSHOTS = join(REPO_ROOT, 'test/screenshots');
let collector: RunningCollector;
let browser: Browser;
let page: Page;

function runs(version: string, n: number, failures: number): AgentRunSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    agent: 'shop',
    promptVersion: version,
    question: `q${i}`,
    answer: `a${i}`,
    ...(i < failures && { failure: 'gave up' }),
    startTime: Date.now() - 120_000 - i * 500,
  }));
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  buildViewer();
  const config = join(makeTempDir(), 'runlens.config.json');
  writeFileSync(config, JSON.stringify({ alerts: { interval: '500ms', rules: [{ name: 'success rate', metric: 'successRate', below: 0.9, window: '15m', groupBy: 'service' }] } }));
  collector = await startCollector({ args: ['--config', config] });
  await sendAgentRuns({ url: collector.url }, { serviceName: 'shop-agent' }, [...runs('v1', 40, 1), ...runs('v2', 40, 20)]);
  browser = await launchChromium();
  ({ page } = await openPage(browser, { height: 900, colorScheme: 'light' }));
});

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

describe('controls in the viewer', () => {
  it('the dashboards compare two prompt versions side by side with the gate\'s verdict', async () => {
    await page.goto(`${collector.url}/dashboards?service=shop-agent`);
    const panel = page.getByTestId('version-compare');
    await panel.getByTestId('compare-verdict').waitFor();
    expect(await panel.locator('select[name=compare-baseline]').inputValue()).toBe('v1');
    expect(await panel.locator('select[name=compare-candidate]').inputValue()).toBe('v2');
    expect(await panel.getByTestId('compare-verdict').textContent()).toBe('Regression');
    const success = panel.locator('tr[data-metric=successRate]');
    expect(await success.getAttribute('data-verdict')).toBe('regression');
    expect(await success.locator('td').nth(1).textContent()).toContain('97.5');
    expect(await success.locator('td').nth(2).textContent()).toContain('50');
    // Swapping the two makes the candidate the better one: no regression.
    await panel.locator('select[name=compare-baseline]').selectOption('v2');
    await panel.locator('select[name=compare-candidate]').selectOption('v1');
    await page.waitForFunction(() => document.querySelector('[data-testid=compare-verdict]')?.textContent !== 'Regression');
    expect(await panel.locator('tr[data-metric=successRate]').getAttribute('data-verdict')).toBe('pass');
    await panel.screenshot({ path: join(SCREENSHOTS, 'compare.png') });
  });

  it('shows a firing alert on the Alerts page and a badge in the navigation', async () => {
    await page.goto(`${collector.url}/alerts`);
    await page.locator('li.alert.firing[data-group="shop-agent"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('li.alert.firing').first().textContent()).toContain('success rate (service shop-agent): success rate 73.8% is below 90% over 15m');
    await page.getByTestId('alerts-badge').waitFor();
    expect(await page.getByTestId('alerts-badge').textContent()).toBe('1');
    await page.screenshot({ path: join(SCREENSHOTS, 'alerts.png'), fullPage: true });
  });

  it('an admin switches a service to read-only from the viewer', async () => {
    await page.goto(`${collector.url}/alerts`);
    const row = page.locator('[data-testid=autonomy-control] tr[data-service="shop-agent"]');
    await row.waitFor();
    expect(await row.getAttribute('data-level')).toBe('full');
    await row.locator('select[name=level]').selectOption('read-only');
    await row.locator('input[name=reason]').fill('v2 refunds twice');
    await row.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('autonomy-message').waitFor();
    expect(await page.getByTestId('autonomy-message').textContent()).toContain('Now read-only');
    await page.locator('[data-testid=autonomy-control] tr[data-service="shop-agent"][data-level="read-only"]').waitFor();
    const state = await getOk<{ level: string; reason: string }>(collector.url, '/api/autonomy/shop-agent');
    expect(state).toMatchObject({ level: 'read-only', reason: 'v2 refunds twice' });
    const changes = await getOk<{ changes: { source: string }[] }>(collector.url, '/api/autonomy');
    expect(changes.changes[0]!.source).toBe('viewer');
    await page.getByTestId('autonomy-control').screenshot({ path: join(SCREENSHOTS, 'kill-switch.png') });
  });
});
