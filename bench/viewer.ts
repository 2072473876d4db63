// Section 4: the viewer. Time until a 10,000-span trace is interactive in Chromium, and frame
// times while its waterfall scrolls. "Interactive": from navigation start until the waterfall's
// rows are drawn and a click on a row has been answered (the row shows as selected), timed in the
// page with requestAnimationFrame, so any long task on the main thread counts. Frame deltas depend on
// everything else the machine runs, so a second, traced scroll also measures what each frame costs
// Chromium itself: the renderer main thread's busy time and CPU time per frame, and the CPU time of
// all its threads (compositor, raster, display) per frame.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildViewer, launchChromium } from '../test/helpers/browser.ts';
import type { Bench } from './lib/bench.ts';
import { ensureBigTrace } from './lib/bigtrace.ts';
import { startCollector } from './lib/collector.ts';
import { removeDb } from './lib/ceiling.ts';
import { round, summarise } from './lib/stats.ts';

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
  viewport.scrollTop = 0;
  await frame();
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

/**
 * Trace categories of the frame-cost pass: top-level tasks of every thread (wall and thread CPU
 * time) and the main thread's frame starts. Only these two, so tracing itself costs little.
 */
const FRAME_TRACE_CATEGORIES = ['toplevel', 'disabled-by-default-devtools.timeline.frame'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface FrameCosts {
  /** Per frame, the renderer main thread's time in tasks (ms), and its CPU time in them. */
  mainBusyMs: number[];
  mainCpuMs: number[];
  /** CPU time of every Chromium thread (all processes) over the scroll, per frame (ms). */
  allThreadsCpuPerFrameMs: number;
}

/** Tasks not nested in another task of the same thread, by thread. */
function topLevelTasks(events: TraceEvent[]): Map<string, TraceEvent[]> {
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    let list = byThread.get(key);
    if (!list) byThread.set(key, (list = []));
    list.push(e);
  }
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const outer: TraceEvent[] = [];
    let end = -Infinity;
    for (const e of list) {
      if (e.ts < end) continue; // inside the previous task
      outer.push(e);
      end = e.ts + e.dur!;
    }
    byThread.set(key, outer);
  }
  return byThread;
}

/** What each frame of a traced scroll cost, from Chromium's trace (microsecond timestamps). */
export function frameCosts(events: TraceEvent[]): FrameCosts {
  const threadNames = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args?.name]));
  const frameStarts = new Map<string, number[]>();
  for (const e of events) {
    if (e.name !== 'BeginMainThreadFrame' || threadNames.get(`${e.pid}:${e.tid}`) !== 'CrRendererMain') continue;
    const key = `${e.pid}:${e.tid}`;
    let list = frameStarts.get(key);
    if (!list) frameStarts.set(key, (list = []));
    list.push(e.ts);
  }
  // The page's renderer is the one drawing frames (each browser context has its own).
  const [main, starts] = [...frameStarts].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  starts.sort((a, b) => a - b);
  const tasks = topLevelTasks(events);
  const mainBusyMs: number[] = [];
  const mainCpuMs: number[] = [];
  let next = 0;
  const mainTasks = tasks.get(main) ?? [];
  for (let f = 0; f + 1 < starts.length; f++) {
    let busy = 0;
    let cpu = 0;
    while (next < mainTasks.length && mainTasks[next]!.ts < starts[f]!) next++;
    for (; next < mainTasks.length && mainTasks[next]!.ts < starts[f + 1]!; next++) {
      busy += mainTasks[next]!.dur!;
      cpu += mainTasks[next]!.tdur ?? 0;
    }
    mainBusyMs.push(busy / 1000);
    mainCpuMs.push(cpu / 1000);
  }
  let allCpu = 0;
  const [first, last] = [starts[0] ?? 0, starts[starts.length - 1] ?? 0];
  for (const list of tasks.values()) for (const e of list) if (e.ts >= first && e.ts < last) allCpu += e.tdur ?? 0;
  return { mainBusyMs, mainCpuMs, allThreadsCpuPerFrameMs: mainBusyMs.length > 0 ? allCpu / 1000 / mainBusyMs.length : Number.NaN };
}

/** The frame-cost pass: the same scroll again, traced. */
async function tracedScroll(browser: Browser, page: Page, frames: number): Promise<FrameCosts> {
  await browser.startTracing(page, { categories: FRAME_TRACE_CATEGORIES });
  await page.evaluate(SCROLL(frames));
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return frameCosts(Array.isArray(trace) ? trace : trace.traceEvents);
}

export async function viewerSection(bench: Bench): Promise<Record<string, unknown>> {
  try {
    buildViewer();
  } catch (error) {
    return { measured: false, reason: (error as Error).message.slice(-500) };
  }
  const db = join(bench.tmp, 'viewer.db');
  const collector = await startCollector(db);
  const browser = await launchChromium();
  try {
    const traceId = await ensureBigTrace(collector.url, bench.viewer.spans, Date.now() - 3_600_000);
    const probe = await fetch(`${collector.url}/traces/${traceId}`);
    const html = await probe.text();
    if (!probe.ok || !html.includes('<script')) return { measured: false, reason: `the collector does not serve the viewer at /traces/:traceId (${probe.status})` };
    const interactive: number[] = [];
    const firstRow: number[] = [];
    let frames: number[] = [];
    let pxPerFrame = 0;
    let costs: FrameCosts = { mainBusyMs: [], mainCpuMs: [], allThreadsCpuPerFrameMs: Number.NaN };
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
        costs = await tracedScroll(browser, page, bench.viewer.scrollFrames);
      }
      await context.close();
    }
    const f = summarise(frames);
    const busy = summarise(costs.mainBusyMs);
    const cpu = summarise(costs.mainCpuMs);
    bench.log(
      `viewer: per scroll frame, main thread busy median ${round(busy.median)} ms, p95 ${round(busy.p95)} ms; its CPU median ${round(cpu.median)} ms, p95 ${round(cpu.p95)} ms; ` +
        `CPU of all Chromium threads ${round(costs.allThreadsCpuPerFrameMs)} ms (traced pass, ${costs.mainBusyMs.length} frames)`,
    );
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
        // From the traced pass. The CPU figures do not grow with other load on the machine, unlike the
        // frame deltas and the busy (wall) time, which count time the thread waited for a core.
        mainThreadBusyMedianMs: round(busy.median),
        mainThreadBusyP95Ms: round(busy.p95),
        mainThreadCpuMedianMs: round(cpu.median),
        mainThreadCpuP95Ms: round(cpu.p95),
        allThreadsCpuPerFrameMs: round(costs.allThreadsCpuPerFrameMs),
      },
    };
  } finally {
    await browser.close();
    await collector.stop();
    removeDb(db);
  }
}
