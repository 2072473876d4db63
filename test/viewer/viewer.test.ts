// The viewer in a real browser against a real collector: runs sent through the OTLP exporter,
// then what a person sees and does on each page. Screenshots go to test/screenshots/ (ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsPage } from '@runlens/schema';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildViewer, launchChromium, openPage } from '../helpers/browser.ts';
import { REPO_ROOT, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { exportSpans } from '../helpers/otel.ts';
import { recordOneRun, seedLargeTrace, seedManyRuns, seedOneRun, seedRuns, type SeededRuns } from './seed.ts';

const SCREENSHOTS = join(REPO_ROOT, 'test/screenshots');
const LARGE_TRACE_SPANS = 10_000;

let collector: RunningCollector;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seeded: SeededRuns;
let largeTraceId: string;

async function screenshot(p: Page, name: string) {
  await p.screenshot({ path: join(SCREENSHOTS, name), fullPage: false });
}

/** Runs shown in the table, as their trace ids. */
async function tableTraceIds(p: Page): Promise<string[]> {
  return p.locator('table.runs tbody tr[data-trace-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')!));
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  buildViewer();
  collector = await startCollector();
  seeded = await seedRuns({ url: collector.url });
  largeTraceId = await seedLargeTrace({ url: collector.url }, LARGE_TRACE_SPANS);
  browser = await launchChromium();
  ({ context, page } = await openPage(browser, { colorScheme: 'light', clipboardOrigin: collector.url }));
});

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

describe('runs page', () => {
  it('lists every run with its outcome, cost and versions, and says "unknown price" for an unpriced model', async () => {
    await page.goto(collector.url + '/');
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    expect(await tableTraceIds(page)).toHaveLength(seeded.total + 1);
    const failed = page.locator(`tr[data-trace-id="${seeded.failedTraceId}"]`);
    await expect.poll(() => failed.locator('[data-outcome]').textContent()).toContain('failure');
    expect(await failed.textContent()).toContain('u_failing');
    expect(await failed.textContent()).toMatch(/\$\d/);
    expect(await failed.textContent()).toContain('prompt v2');
    expect(await page.locator(`tr[data-trace-id="${seeded.unpricedTraceId}"]`).textContent()).toContain('unknown price');
    await screenshot(page, 'runs.png');

    // From the keyboard: j twice, Enter opens the second run; / goes to the search box.
    const second = (await tableTraceIds(page))[1]!;
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/traces/${second}`));
    await page.goBack();
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('q');
  });

  it('filters by outcome and version, keeps the filters in the URL, and searches the conversation text', async () => {
    await page.goto(collector.url + '/runs');
    await page.selectOption('select[name="outcome"]', 'failure');
    await expect.poll(() => page.url()).toContain('outcome=failure');
    await expect.poll(async () => (await page.locator('table.runs [data-outcome]').allTextContents()).every((t) => t.includes('failure'))).toBe(true);
    const failures = await tableTraceIds(page);
    expect(failures).toContain(seeded.failedTraceId);
    expect(failures.length).toBeGreaterThan(1);

    await page.fill('input[name="version"]', 'v2');
    await expect.poll(() => page.url()).toContain('version=v2');
    await expect.poll(async () => (await page.locator('table.runs tbody tr[data-trace-id]').allTextContents()).every((t) => t.includes('prompt v2'))).toBe(true);

    // A shared link opens the same filtered view.
    const link = page.url();
    const other = await context.newPage();
    await other.goto(link);
    await other.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    expect(await tableTraceIds(other)).toEqual(await tableTraceIds(page));
    await other.close();

    await page.goto(collector.url + '/runs?q=broken');
    await expect.poll(() => tableTraceIds(page)).toEqual([seeded.failedTraceId]);
    await screenshot(page, 'runs-filtered.png');
  });

  it('shows a new run as it arrives, and holds new runs back while paused', async () => {
    await page.goto(collector.url + '/runs');
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    await expect.poll(() => page.locator('button.live .dot.on').count()).toBe(1);
    const liveId = await seedOneRun({ url: collector.url }, 'u_live');
    await page.locator(`tr[data-trace-id="${liveId}"]`).waitFor({ timeout: 10_000 });

    await page.click('button.live');
    expect(await page.locator('button.live').textContent()).toContain('Paused');
    const heldId = await seedOneRun({ url: collector.url }, 'u_held');
    await page.getByRole('button', { name: /1 new — show/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator(`tr[data-trace-id="${heldId}"]`).count()).toBe(0);
    await page.getByRole('button', { name: /1 new — show/ }).click();
    await page.locator(`tr[data-trace-id="${heldId}"]`).waitFor();
  });
});

describe('trace page', () => {
  it('opens a failed run on why it failed, what it cost and the tool call that broke', async () => {
    await page.goto(collector.url + '/runs?outcome=failure&user=u_failing');
    await page.locator(`tr[data-trace-id="${seeded.failedTraceId}"] td.name a`).click();
    await page.waitForURL(/\/traces\//);
    const summary = page.getByTestId('trace-summary');
    await summary.waitFor();
    expect(await page.getByTestId('outcome-reason').textContent()).toMatch(/Why it failed:.*(payments API unavailable|Payments API returned 503)/);
    expect(await page.getByTestId('run-cost').textContent()).toMatch(/^\$0\.\d+/);
    expect(await summary.textContent()).toContain('u_failing');
    expect(await summary.textContent()).toContain('prompt v2');
    const io = await page.getByTestId('run-io').textContent();
    expect(io).toContain('Please refund order A-1043, it arrived broken.');
    expect(io).toContain('Sorry, I could not issue the refund right now.');

    // The failing tool span is selected, with its error and arguments.
    const panel = page.getByTestId('span-panel');
    expect(await panel.locator('h2').textContent()).toBe('execute_tool issue_refund');
    expect(await page.getByTestId('span-error').textContent()).toContain('Payments API returned 503');
    const args = await page.getByTestId('span-input').textContent();
    expect(args).toContain('orderId');
    expect(args).toContain('"A-1043"');
    expect(args).toContain('129.9');
    expect(await panel.locator('[data-event="exception"]').textContent()).toContain('Payments API returned 503');
    expect(page.url()).toContain(`span=`);
    await screenshot(page, 'trace-failed.png');
  });

  it('reads the conversation of an llm span with roles and the tool call inline', async () => {
    await page.goto(`${collector.url}/traces/${seeded.failedTraceId}`);
    await page.getByTestId('span-panel').waitFor();
    // The chat span right before the failing tool asked for the refund.
    await page.keyboard.press('k');
    const panel = page.getByTestId('span-panel');
    await expect.poll(() => panel.locator('h2').textContent()).toMatch(/^chat /);
    const conversation = page.getByTestId('conversation');
    const roles = await conversation.locator('[data-role]').evaluateAll((els) => els.map((e) => e.getAttribute('data-role')));
    expect(roles).toEqual(expect.arrayContaining(['user', 'assistant', 'tool']));
    expect(await conversation.textContent()).toContain('Please refund order A-1043, it arrived broken.');
    const call = conversation.getByTestId('tool-call').last();
    expect(await call.textContent()).toContain('issue_refund');
    expect(await call.textContent()).toContain('damaged');
    expect(await panel.textContent()).toMatch(/Tokens\s*[\d.]+k? in · 45 out/);
    expect(await panel.textContent()).toContain('tool_call');
    await screenshot(page, 'trace-conversation.png');
  });

  it('shows escalation and policy events, and moves, folds and copies the link from the keyboard', async () => {
    await page.goto(`${collector.url}/traces/${seeded.escalatedTraceId}`);
    await page.getByTestId('span-panel').waitFor();
    expect(await page.getByTestId('outcome-reason').textContent()).toContain('customer asked for a human three times');
    expect(await page.locator('[data-event="runlens.escalation"]').textContent()).toContain('Escalated to a human');

    const rows = page.locator('[role="treeitem"]');
    expect(await rows.count()).toBe(2);
    await page.keyboard.press('ArrowLeft'); // collapse the root
    await expect.poll(() => rows.count()).toBe(1);
    await page.keyboard.press('ArrowRight'); // expand it again
    await expect.poll(() => rows.count()).toBe(2);
    await page.keyboard.press('j');
    await expect.poll(() => page.getByTestId('span-panel').locator('h2').textContent()).toMatch(/^chat /);
    expect(await page.locator('[data-event="runlens.policy.violation"]').textContent()).toContain('Policy violation: email');

    await page.keyboard.press('c');
    await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(page.url());
    expect(copied).toMatch(new RegExp(`/traces/${seeded.escalatedTraceId}\\?span=[0-9a-f]{16}$`));
  });

  it('shows spans as they arrive, from a trace not yet known to one with its root', async () => {
    const { traceId, spans } = await recordOneRun('u_streaming');
    await page.goto(`${collector.url}/traces/${traceId}`);
    await page.getByRole('heading', { name: 'Trace not found' }).waitFor();

    const children = spans.filter((s) => s.parentSpanContext !== undefined);
    await exportSpans({ url: collector.url }, children);
    const rows = page.locator('[role="treeitem"]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(children.length);
    expect(await page.getByTestId('trace-summary').locator('[data-outcome]').textContent()).toContain('running');

    await page.keyboard.press('End'); // fold state and selection survive the update
    const selected = await page.locator('[role="treeitem"][aria-selected="true"]').getAttribute('data-span-id');
    await exportSpans({ url: collector.url }, spans.filter((s) => s.parentSpanContext === undefined));
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(spans.length);
    await expect.poll(() => page.getByTestId('trace-summary').locator('[data-outcome]').textContent()).toContain('success');
    expect(await rows.first().textContent()).toContain('invoke_agent support');
    expect(await page.locator('[role="treeitem"][aria-selected="true"]').getAttribute('data-span-id')).toBe(selected);
  });

  it(`draws only the rows on screen for a ${LARGE_TRACE_SPANS.toLocaleString('en')}-span trace and scrolls it smoothly`, async () => {
    await page.goto(`${collector.url}/traces/${largeTraceId}`);
    await page.getByTestId('waterfall').waitFor();
    expect(await page.getByTestId('waterfall').textContent()).toContain(`${LARGE_TRACE_SPANS} spans`);
    expect(await page.locator('[role="treeitem"]').count()).toBeLessThan(80);

    // Scroll through the whole list in 40 jumps; each jump must be drawn within a few frames.
    const timing = await page.evaluate(async () => {
      const viewport = document.querySelector('[data-testid="waterfall"] .viewport') as HTMLElement;
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const times: number[] = [];
      for (let i = 1; i <= 40; i++) {
        const start = performance.now();
        viewport.scrollTop = (viewport.scrollHeight * i) / 40;
        await frame();
        await frame();
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { median: times[20]!, max: times[39]!, rows: document.querySelectorAll('[role="treeitem"]').length };
    });
    expect(timing.rows).toBeLessThan(80);
    expect(timing.median).toBeLessThan(100);
    const last = page.locator('[role="treeitem"]').last();
    expect(await last.textContent()).toMatch(/execute_tool fetch_row_3333/);

    // The End key selects the last span and its panel follows.
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('span-panel').locator('h2').textContent()).toBe('execute_tool fetch_row_3333');
    await screenshot(page, 'trace-large.png');

    // `e` jumps to the one error among the 10,000 spans, from anywhere.
    await page.keyboard.press('Home');
    await page.keyboard.press('e');
    await expect.poll(() => page.getByTestId('span-panel').locator('h2').textContent()).toBe('execute_tool fetch_row_3327');
    expect(await page.getByTestId('span-error').textContent()).toContain('row 3326 is locked');
    expect(await page.locator('[role="treeitem"][aria-selected="true"]').textContent()).toContain('fetch_row_3327');
  });

  it('is readable in the dark theme', async () => {
    const dark = await browser.newContext({ viewport: { width: 1366, height: 768 }, colorScheme: 'dark' });
    const p = await dark.newPage();
    await p.goto(`${collector.url}/traces/${seeded.failedTraceId}`);
    await p.getByTestId('span-panel').waitFor();
    const colors = await p.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
    expect(colors.bg).toBe('rgb(18, 21, 27)');
    expect(colors.fg).toBe('rgb(227, 231, 238)');
    await screenshot(p, 'trace-dark.png');
    await dark.close();
  });
});

describe('dashboards', () => {
  it('shows every metric, then one series per prompt version when grouped by version', async () => {
    // The support agent only: the large batch trace is another agent.
    await page.goto(`${collector.url}/dashboards?range=6h&agent=support`);
    const charts = page.locator('figure[data-chart]');
    await expect.poll(() => charts.count()).toBe(9);
    const titles = await charts.evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')));
    expect(titles).toEqual(['Runs', 'Success rate', 'Tool error rate', 'Escalation rate', 'Duration', 'Tokens per run', 'Cost per run', 'Cost per success', 'Policy violations per run']);
    await page.locator('[data-testid="group-summary"] tbody tr[data-group="all runs"]').waitFor();
    const stored = ((await (await fetch(`${collector.url}/api/runs?agent=support&limit=500`)).json()) as RunsPage).runs.length;
    const runsCell = page.locator('[data-testid="group-summary"] tr[data-group="all runs"] td').nth(1);
    expect(await runsCell.textContent()).toBe(String(stored));
    await screenshot(page, 'dashboards.png');

    // Charts are updated in place (setData), not rebuilt: the same canvas survives a regrouping.
    await page.locator('figure[data-chart="Success rate"] canvas').evaluate((el) => el.setAttribute('data-marker', 'first'));
    await page.click('button[data-group-by="version"]');
    await expect.poll(() => page.url()).toContain('groupBy=version');
    const summaryGroups = page.locator('[data-testid="group-summary"] tbody tr[data-group]');
    await expect.poll(() => summaryGroups.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group')).sort())).toEqual(['prompt=v1', 'prompt=v2']);
    // The success-rate chart's legend names one series per version (after the time column).
    const legend = page.locator('figure[data-chart="Success rate"] .u-legend .u-series th');
    await expect.poll(() => legend.allTextContents()).toEqual(['time', 'prompt=v1', 'prompt=v2']);
    expect(await page.locator('figure[data-chart="Success rate"] canvas[data-marker="first"]').count()).toBe(1);
    // Hovering a chart shows each version's value at that time in its legend.
    const over = page.locator('figure[data-chart="Success rate"] .u-over');
    const box = (await over.boundingBox())!;
    const values = page.locator('figure[data-chart="Success rate"] .u-legend .u-series td.u-value');
    const seen: string[] = [];
    // Runs were sent over the last three hours: sweep the right half of the chart.
    for (let x = 0.98; x > 0.5 && !seen.some((v) => /\d%$/.test(v)); x -= 0.04) {
      await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
      seen.push(...(await values.allTextContents()));
    }
    expect(seen.some((v) => /\d%$/.test(v))).toBe(true);
    // The canary (v2) has the failures.
    const rate = async (group: string) => page.locator(`[data-testid="group-summary"] tr[data-group="${group}"] td`).nth(2).textContent();
    expect(parseFloat((await rate('prompt=v1'))!)).toBeGreaterThan(parseFloat((await rate('prompt=v2'))!));
    await screenshot(page, 'dashboards-by-version.png');
  });

  it('opens the runs behind a chart when a point is clicked', async () => {
    await page.goto(`${collector.url}/dashboards?range=6h&step=1h`);
    const over = page.locator('figure[data-chart="Runs"] .u-over');
    await over.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-summary"] tbody tr[data-group]').length > 0);
    const box = (await over.boundingBox())!;
    // The last bucket holds the most recent runs.
    await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
    await page.waitForURL(/\/runs\?from=\d+&to=\d+/);
    await page.locator('table.runs tbody tr[data-trace-id]').first().waitFor();
    const url = new URL(page.url());
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    expect(to - from).toBeGreaterThan(0);
    expect(to - from).toBeLessThanOrEqual(3_600_001);
    const times = await page.locator('table.runs tbody tr[data-trace-id]').count();
    expect(times).toBeGreaterThan(0);
  });

  it('opens the runs of a dragged time range, for the version pointed at', async () => {
    await page.goto(`${collector.url}/dashboards?range=6h&step=15m&agent=support&groupBy=version`);
    const over = page.locator('figure[data-chart="Runs"] .u-over');
    await over.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="group-summary"] tbody tr[data-group]').length > 1);
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height - 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height - 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/\/runs\?from=\d+&to=\d+/);
    const url = new URL(page.url());
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    // A quarter of the six-hour window, give or take the pixels.
    expect((to - from) / 3_600_000).toBeGreaterThan(1.3);
    expect((to - from) / 3_600_000).toBeLessThan(1.7);
    expect(url.searchParams.get('agent')).toBe('support');
  });
});

describe('many runs', () => {
  it('pages through 650 runs as the table is scrolled, newest first, without duplicates', async () => {
    const busy = await startCollector();
    try {
      const ids = await seedManyRuns({ url: busy.url }, 650);
      const p = await context.newPage();
      await p.goto(busy.url + '/runs');
      const rows = p.locator('table.runs tbody tr[data-trace-id]');
      await expect.poll(() => rows.count()).toBe(100);
      expect(await p.getByTestId('runs-count').textContent()).toContain('100+ runs');
      // Each scroll to the end of the table brings the next page.
      for (let i = 0; i < 12 && !(await p.getByText('End of list').isVisible()); i++) {
        await p.locator('.table-wrap').evaluate((el) => el.scrollTo(0, el.scrollHeight));
        await p.waitForTimeout(250);
      }
      await p.getByText('End of list').waitFor();
      const shown = await tableTraceIds(p);
      expect(shown).toEqual(ids); // sent newest first, one a second apart
      expect(await p.getByTestId('runs-count').textContent()).toContain('650 runs');
      await p.close();
    } finally {
      await busy.stop();
    }
  });
});

describe('first start', () => {
  it('shows how to send the first trace when the collector holds no runs', async () => {
    const empty = await startCollector();
    try {
      const p = await context.newPage();
      await p.goto(empty.url + '/');
      const state = p.getByTestId('empty-state');
      await state.waitFor();
      const text = await state.textContent();
      expect(text).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${empty.url}`);
      expect(text).toContain("import { init } from '@runlens/sdk'");
      expect(text).toContain('npm run demo');
      await screenshot(p, 'empty.png');
      await p.close();
    } finally {
      await empty.stop();
    }
  });
});
