#!/usr/bin/env node
// Builds the viewer into viewer/dist (`npm run build -w @runlens/viewer`).
// With --if-stale (used by `npm start` and `npm test`), builds only when viewer/dist is missing
// or older than a source file, so starting stays fast once built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from './freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const viewer = join(root, 'viewer');
const builtIndex = join(viewer, 'dist', 'index.html');
const ifStale = process.argv.includes('--if-stale');

function viewerIsStale() {
  const sources = [join(viewer, 'src'), join(viewer, 'index.html'), join(viewer, 'package.json')];
  for (const entry of readdirSync(viewer)) if (/^vite\.config\./.test(entry)) sources.push(join(viewer, entry));
  return isStale(builtIndex, sources);
}

if (!existsSync(join(viewer, 'index.html'))) {
  console.log('build-viewer: viewer/index.html does not exist yet; nothing to build (the collector serves a placeholder page).');
  process.exit(0);
}
if (ifStale && !viewerIsStale()) process.exit(0);

console.log('build-viewer: building the viewer into viewer/dist');
const result = spawnSync('npm', ['run', 'build', '-w', '@runlens/viewer'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) {
  console.error(`build-viewer: could not run npm: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
