// The viewer as a user sees it: built if its sources changed since the last build, served by a
// real collector and opened in Debian's Chromium (playwright-core, no downloaded browser).
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './collector.ts';

/** Builds the viewer when its sources are newer than the build; throws with the build's output. */
export function buildViewer(): void {
  const build = spawnSync(process.execPath, ['scripts/build-viewer.mjs', '--if-stale'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`viewer build failed:\n${build.stdout}\n${build.stderr}`);
}

/** Headless Chromium without the background traffic that would compete with the page. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface PageOptions {
  /** Viewport height (the width is 1366); 768 by default. */
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** Origin allowed to use the clipboard (copy buttons), usually the collector's URL. */
  clipboardOrigin?: string;
}

/** A page in a new context; errors thrown inside the page are logged, so a test failure shows them. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: options.height ?? 768 },
    ...(options.colorScheme && { colorScheme: options.colorScheme }),
  });
  if (options.clipboardOrigin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.clipboardOrigin });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  return { context, page };
}
