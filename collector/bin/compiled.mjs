// Where the compiled collector lives (scripts/build-collector.mjs writes it) and whether it is
// older than its sources; shared by the `runlens` command and the build script.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const collectorDist = join(root, 'collector', 'dist');
export const compiledCli = join(collectorDist, 'cli.mjs');

/** What the bundle is built from: the workspace packages it takes in, and their manifests. */
const SOURCES = ['collector/src', 'schema/src', 'schema/migrations', 'sdk/src', 'collector/package.json', 'schema/package.json', 'sdk/package.json', 'scripts/build-collector.mjs'];

/** Newest modification time (ms) of a file, or of any file below a directory. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * True when collector/dist is missing or a source changed (or was added or removed) after it was
 * built. `repository` is for tests; it defaults to this one.
 */
export function isCollectorBuildStale(repository = root) {
  const cli = join(repository, 'collector', 'dist', 'cli.mjs');
  if (!existsSync(cli)) return true;
  const built = statSync(cli).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(repository, source)) > built);
}
