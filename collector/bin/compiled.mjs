// Where the compiled collector lives (scripts/build-collector.mjs writes it) and whether it is
// older than its sources; shared by the `runlens` command and the build script.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from '../../scripts/freshness.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const collectorDist = join(root, 'collector', 'dist');
export const compiledCli = join(collectorDist, 'cli.mjs');

/** What the bundle is built from: the workspace packages it takes in, and their manifests. */
const SOURCES = ['collector/src', 'schema/src', 'schema/migrations', 'sdk/src', 'collector/package.json', 'schema/package.json', 'sdk/package.json', 'scripts/build-collector.mjs'];

/**
 * True when collector/dist is missing or a source changed (or was added or removed) after it was
 * built. `repository` is for tests; it defaults to this one.
 */
export function isCollectorBuildStale(repository = root) {
  return isStale(
    join(repository, 'collector', 'dist', 'cli.mjs'),
    SOURCES.map((source) => join(repository, source)),
  );
}
