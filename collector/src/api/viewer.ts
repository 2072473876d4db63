// Serves the built viewer (viewer/dist) on the collector's port: files as they are, hashed
// assets cached for a year, and index.html for any other GET so client-side routes work.
// Without a build, `/` explains how to make one instead of a bare 404.
import { createReadStream, statSync, type Stats } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/** Paths that belong to the API or to OTLP ingest; they never fall back to the viewer. */
const NOT_VIEWER = /^\/(api|v1)(\/|$)|^\/healthz$/;
/** Vite puts content-hashed files under /assets/: their URL changes when they do. */
const HASHED = /^\/assets\//;

const NO_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runlens</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Runlens collector is running</h1>
<p>The viewer has not been built yet. From the repository, run <code>npm run build</code>
(or start with <code>npm start</code>, which builds it when needed), then reload this page.</p>
<p>The API answers at <a href="/api/runs">/api/runs</a> and <a href="/healthz">/healthz</a>;
OpenTelemetry exporters send to <code>/v1/traces</code>.</p>
</body></html>`;

function fileStats(path: string): Stats | null {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

function sendFile(c: Context, path: string, stats: Stats, cacheControl: string): Response {
  c.header('Content-Type', getMimeType(path) ?? 'application/octet-stream');
  c.header('Content-Length', String(stats.size));
  c.header('Cache-Control', cacheControl);
  if (c.req.method === 'HEAD') return c.body(null, 200);
  return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
}

/** Adds the viewer's GET/HEAD routes to `app`; call after the API routes are mounted. */
export function mountViewer(app: Hono, viewerDir: string | null): void {
  const root = viewerDir === null ? null : resolve(viewerDir);

  app.on(['GET', 'HEAD'], '*', (c, next) => {
    if (NOT_VIEWER.test(c.req.path)) return next();
    // Looked up per request (a stat is cheap) so a build made while the collector runs is served.
    const index = root === null ? null : fileStats(join(root, 'index.html'));
    if (root === null || index === null) return c.html(NO_BUILD_PAGE, 200, { 'Cache-Control': 'no-cache' });

    let relative: string;
    try {
      relative = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    const path = resolve(root, '.' + relative);
    if (path.startsWith(root + sep)) {
      const stats = fileStats(path);
      if (stats) return sendFile(c, path, stats, HASHED.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    // A missing asset is a real 404; any other path is a client-side route of the single-page app.
    if (HASHED.test(relative)) return next();
    return sendFile(c, join(root, 'index.html'), index, 'no-cache');
  });
}
