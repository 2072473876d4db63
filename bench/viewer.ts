// Section 4: the viewer. Time until a 10,000-span trace is interactive in Chromium, and frame
// times while its waterfall scrolls. "Interactive": from navigation start until the waterfall's
// rows are drawn and a click on a row has been answered (the row shows as selected), timed in the
// page with requestAnimationFrame, so any long task on the main thread counts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Bench } from './lib/bench.ts';
import { ensureBigTrace } from './lib/bigtrace.ts';
import { startCollector } from './lib/collector.ts';
import { removeDb } from './lib/ceiling.ts';
import { round, summarise } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));


/**
 * Runs in the page before its scripts: watches every frame for the rows, clicks one (again if the
 * page re-rendered or reset the selection), and notes when the click shows. A string, not a
 * function: the TypeScript loader may wrap functions with helpers the page does not have.
 */
const WATCH_FOR_INTERACTIVE = `(() => {
  const state = {};
  window.__bench = state;
  let clickedId = null;
  let framesSinceClick = 0;
  const tick = () => {
    if (state.interactiveMs !== undefined) return;
    const rows = document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]');
    if (rows.length > 3) {
      if (state.firstRowMs === undefined) state.firstRowMs = performance.now();
      const selected = document.querySelector('[data-testid="waterfall"] [role="treeitem"][aria-selected="true"]');
      if (clickedId !== null && selected && selected.getAttribute('data-span-id') === clickedId) {
        state.interactiveMs = performance.now();
        return;
      }
      if (clickedId === null || ++framesSinceClick > 3) {
        clickedId = rows[3].getAttribute('data-span-id');
        framesSinceClick = 0;
        rows[3].click();
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** Scrolls the waterfall from top to bottom over `count` frames; returns the frame deltas (ms) and the step. */
const SCROLL = (count: number) => `(async () => {
  const viewport = document.querySelector('[data-testid="waterfall"] .viewport');
  const deltas = [];
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  let last = await frame();
  const step = Math.max(1, (viewport.scrollHeight - viewport.clientHeight) / ${count});
  for (let i = 1; i <= ${count}; i++) {
    viewport.scrollTop = Math.min(viewport.scrollHeight, i * step);
    const now = await frame();
    deltas.push(now - last);
    last = now;
  }
  return { deltas, pxPerFrame: step };
})()`;

export async function viewerSection(bench: Bench): Promise<Record<string, unknown>> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-viewer.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) return { measured: false, reason: `viewer build failed: ${build.stderr.slice(-500)}` };
  const db = join(bench.tmp, 'viewer.db');
  const collector = await startCollector(db);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const traceId = await ensureBigTrace(collector.url, bench.viewer.spans, Date.now() - 3_600_000);
    const probe = await fetch(`${collector.url}/traces/${traceId}`);
    const html = await probe.text();
    if (!probe.ok || !html.includes('<script')) return { measured: false, reason: `the collector does not serve the viewer at /traces/:traceId (${probe.status})` };
    const interactive: number[] = [];
    const firstRow: number[] = [];
    let frames: number[] = [];
    let pxPerFrame = 0;
    for (let rep = 0; rep < bench.viewer.reps; rep++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      await context.addInitScript({ content: WATCH_FOR_INTERACTIVE });
      const page = await context.newPage();
      await page.goto(`${collector.url}/traces/${traceId}`);
      await page.waitForFunction('window.__bench && window.__bench.interactiveMs !== undefined', undefined, { timeout: 30_000 });
      const timing = (await page.evaluate('window.__bench')) as { firstRowMs: number; interactiveMs: number };
      interactive.push(timing.interactiveMs);
      firstRow.push(timing.firstRowMs);
      if (rep === 0) {
        // Scroll the waterfall programmatically, a few rows per frame, and record frame deltas.
        ({ deltas: frames, pxPerFrame } = (await page.evaluate(SCROLL(bench.viewer.scrollFrames))) as { deltas: number[]; pxPerFrame: number });
      }
      await context.close();
    }
    const f = summarise(frames);
    const spans = bench.viewer.spans;
    return {
      measured: true,
      spans,
      reps: interactive.length,
      interactiveMs: round(summarise(interactive).median, 0),
      interactiveRunsMs: interactive.map((v) => round(v, 0)),
      firstRowsDrawnMs: round(summarise(firstRow).median, 0),
      scroll: {
        frames: frames.length,
        pxPerFrame: round(pxPerFrame, 0),
        medianFrameMs: round(f.median),
        p95FrameMs: round(f.p95),
        maxFrameMs: round(Math.max(...frames)),
        framesOver20Ms: frames.filter((d) => d > 20).length,
        fps: round(1000 / f.median, 0),
      },
    };
  } finally {
    await browser.close();
    await collector.stop();
    removeDb(db);
  }
}
