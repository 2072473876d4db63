#!/usr/bin/env node
// The `runlens` command. `runlens serve` runs the compiled collector (collector/dist, built by
// `npm start` / `npm run build`) when it is up to date with the sources: a long-running server
// then carries no TypeScript compiler (see scripts/build-collector.mjs). Everything else, and
// `serve` before a build, runs the TypeScript sources through tsx, since Node 20 cannot run
// TypeScript itself; resolving from this file's URL makes it work from any working directory.
import { pathToFileURL } from 'node:url';
import { compiledCli, isCollectorBuildStale } from './compiled.mjs';

const args = process.argv.slice(2);
let entry;
if (args[0] === 'serve' && !isCollectorBuildStale()) {
  // Stack traces asked for with RUNLENS_DEBUG then point into the sources, not the bundle.
  if (process.env.RUNLENS_DEBUG) process.setSourceMapsEnabled(true);
  entry = pathToFileURL(compiledCli).href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli.ts', import.meta.url).href;
}
const { main } = await import(entry);
process.exitCode = await main(args);
