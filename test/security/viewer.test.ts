// The viewer behind sign-in, in a real browser: a collector with users shows the sign-in screen,
// a token opens it, and span contents holding HTML and script are shown as text, never run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildViewer, launchChromium, openPage } from '../helpers/browser.ts';
import { startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { cliToken, postTraces, runBody } from './support.ts';

const PAYLOAD = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>';

let collector: RunningCollector;
let browser: Browser;
let page: Page;
let viewerToken = '';
let traceId = '';
let toolSpanId = '';
const dialogs: string[] = [];

beforeAll(async () => {
  buildViewer();
  const db = tempDbPath();
  const key = await cliToken(db, ['keys', 'create', 'xss-agent']);
  viewerToken = await cliToken(db, ['users', 'create', 'vic', '--role', 'viewer']);
  collector = await startCollector({ db });
  const run = runBody({ service: `svc ${PAYLOAD}`, question: `Hello ${PAYLOAD}`, toolResult: PAYLOAD });
  // HTML in the names too: the agent, and the tool span's name.
  const request = JSON.parse(run.body.replaceAll('"invoke_agent helper"', JSON.stringify(`invoke_agent ${PAYLOAD}`)));
  const spans = request.resourceSpans[0].scopeSpans[0].spans as { spanId: string; name: string; attributes: { key: string; value: { stringValue?: string } }[] }[];
  spans[0]!.attributes.push({ key: 'gen_ai.agent.name', value: { stringValue: PAYLOAD } });
  toolSpanId = spans[2]!.spanId;
  spans[2]!.name = `execute_tool ${PAYLOAD}`;
  traceId = run.traceId;
  expect((await postTraces(collector.url, JSON.stringify(request), key)).status).toBe(200);
  browser = await launchChromium();
  ({ page } = await openPage(browser));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

async function pwned(p: Page): Promise<unknown> {
  return p.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

describe('the viewer of a collector with users', () => {
  it('asks for a token, refuses a wrong one with the reason, and opens with a right one', async () => {
    await page.goto(`${collector.url}/runs`);
    const form = page.getByRole('form', { name: 'Sign in to Runlens' });
    await form.waitFor();
    await page.fill('input[name="token"]', 'rlu_000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/That token was refused: unknown or wrong user token/);
    await page.fill('input[name="token"]', viewerToken);
    await page.click('button[type="submit"]');
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    expect(await page.evaluate(() => localStorage.getItem('runlens.token'))).toBe(viewerToken);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('shows HTML and script in span contents as text on the runs page, and runs none of it', async () => {
    await page.goto(`${collector.url}/runs`);
    const row = page.locator(`tr[data-trace-id="${traceId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(PAYLOAD);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
  });

  it('shows the tool result, the question and the names as text on the trace page, and runs none of it', async () => {
    await page.goto(`${collector.url}/traces/${traceId}?span=${toolSpanId}`);
    const panel = page.getByTestId('span-panel');
    await panel.waitFor();
    await expect.poll(() => panel.textContent()).toContain(PAYLOAD);
    expect(await panel.locator('h2').textContent()).toContain(`execute_tool ${PAYLOAD}`);
    expect(await page.textContent('body')).toContain(`Hello ${PAYLOAD}`);
    // Nothing in the page became an element: no injected image or script.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await pwned(page)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('follows the live stream with the token in its URL', async () => {
    await page.goto(`${collector.url}/runs`);
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    const streamed = page.waitForRequest((r) => r.url().includes('/api/stream?access_token='));
    await page.reload();
    expect((await streamed).url()).toContain(encodeURIComponent(viewerToken));
  });

  it('signs out back to the sign-in screen', async () => {
    await page.goto(`${collector.url}/runs`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in to Runlens' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('runlens.token'))).toBeNull();
  });
});
