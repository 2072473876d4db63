#!/usr/bin/env node
// The `runlens` command. Node 20 cannot run TypeScript itself, so tsx compiles the sources on
// the fly; resolving from this file's URL makes it work from any working directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../src/cli.ts', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
