#!/usr/bin/env node
// Builds the viewer into viewer/dist (`npm run build -w @runlens/viewer`).
// With --if-stale (used by `npm start` and `npm test`), builds only when viewer/dist is missing
// or older than a source file, so starting stays fast once built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const viewer = join(root, 'viewer');
const builtIndex = join(viewer, 'dist', 'index.html');
const ifStale = process.argv.includes('--if-stale');

/** Newest modification time (ms) of a file, or of any file below a directory. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale() {
  if (!existsSync(builtIndex)) return true;
  const sources = [join(viewer, 'src'), join(viewer, 'index.html'), join(viewer, 'package.json')];
  for (const entry of readdirSync(viewer)) if (/^vite\.config\./.test(entry)) sources.push(join(viewer, entry));
  return Math.max(...sources.map(newestMtime)) > statSync(builtIndex).mtimeMs;
}

if (!existsSync(join(viewer, 'index.html'))) {
  console.log('build-viewer: viewer/index.html does not exist yet; nothing to build (the collector serves a placeholder page).');
  process.exit(0);
}
if (ifStale && !isStale()) process.exit(0);

console.log('build-viewer: building the viewer into viewer/dist');
const result = spawnSync('npm', ['run', 'build', '-w', '@runlens/viewer'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) {
  console.error(`build-viewer: could not run npm: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
