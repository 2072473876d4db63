#!/usr/bin/env node
// Compiles the collector into collector/dist, so that `runlens serve` runs plain JavaScript.
// From the TypeScript sources, tsx compiles on the fly in every thread, and each thread that
// registers it (the main thread and the store's writer) carries a module-loader thread of its own:
// ~30 MB each, for the life of the server. The other commands stay on the sources through tsx:
// they are short-lived, and `runlens eval` imports the user's TypeScript checks.
//
// collector/dist holds cli.mjs and writer-worker.mjs (the workspace packages bundled in, npm
// packages left to node_modules), and the files the code reads next to itself by
// `import.meta.url`: the SQL migrations and the checkpointer's worker.
// With --if-stale (used by `npm start` and `npm test`), builds only when a source is newer.
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { collectorDist, isCollectorBuildStale } from '../collector/bin/compiled.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv.includes('--if-stale') && !isCollectorBuildStale()) process.exit(0);

console.log('build-collector: compiling the collector into collector/dist');
const temporary = `${collectorDist}.tmp-${process.pid}`;
rmSync(temporary, { recursive: true, force: true });
mkdirSync(temporary, { recursive: true });

try {
  await build({
    entryPoints: {
      cli: join(root, 'collector/src/cli.ts'),
      'writer-worker': join(root, 'collector/src/store/writer-worker.ts'),
    },
    outdir: temporary,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [workspaceOnly()],
  });
  for (const file of readdirSync(join(root, 'schema/migrations'))) {
    if (file.endsWith('.sql')) copyFileSync(join(root, 'schema/migrations', file), join(temporary, file));
  }
  copyFileSync(join(root, 'collector/src/store/checkpointer-worker.mjs'), join(temporary, 'checkpointer-worker.mjs'));
  // Replace the old build in one step, so a server starting meanwhile never sees half of one.
  rmSync(collectorDist, { recursive: true, force: true });
  renameSync(temporary, collectorDist);
} catch (error) {
  rmSync(temporary, { recursive: true, force: true });
  console.error(`build-collector: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

/** Bundles the workspace's own packages (TypeScript sources) and leaves npm packages external. */
function workspaceOnly() {
  return {
    name: 'workspace-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@runlens/')) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}
