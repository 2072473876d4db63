// The compiled collector (scripts/build-collector.mjs): `runlens serve` runs it instead of the
// TypeScript sources once it is built and up to date, so it must be a whole server by itself, and
// a source changed after the build must send `serve` back to the sources.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Run, RunsPage } from '@runlens/schema';
import { compiledCli, isCollectorBuildStale } from '../../collector/bin/compiled.mjs';
import { getOk } from '../helpers/api.ts';
import { makeTempDir, REPO_ROOT } from '../helpers/collector.ts';
import { sendAgentRuns } from '../helpers/otel.ts';

describe('the compiled collector', () => {
  const stopping: (() => void)[] = [];
  afterAll(() => stopping.forEach((stop) => stop()));

  it('serves an export and reads it back without the TypeScript sources', { timeout: 120_000 }, async () => {
    // `npm test` builds it first; build it here too when run on its own after an edit.
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build-collector.mjs'), '--if-stale'], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(isCollectorBuildStale()).toBe(false);

    // The bundle alone, as `runlens serve` loads it: no tsx registered in this process.
    const db = join(makeTempDir(), 'runlens.db');
    const script = `const { main } = await import(${JSON.stringify(new URL(`file://${compiledCli}`).href)});
process.exitCode = await main(['serve', '--port', '0', '--db', ${JSON.stringify(db)}]);`;
    const entry = join(makeTempDir(), 'serve-compiled.mjs');
    writeFileSync(entry, script);
    const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'pipe', 'pipe'] });
    stopping.push(() => child.kill('SIGKILL'));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        const match = /runlens listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });

    const [traceId] = await sendAgentRuns({ url }, { serviceName: 'compiled-check' }, [{ agent: 'support', question: 'Where is my order?', answer: 'It ships today.' }]);
    const page = await getOk<RunsPage>(url, '/api/runs');
    const run = page.runs.find((r: Run) => r.traceId === traceId);
    expect(run).toMatchObject({ service: 'compiled-check', outcome: 'success' });
    expect(output).not.toMatch(/error/i);
  });
});

describe('whether the compiled collector is up to date', () => {
  /** A repository with a build and one source file, the build newer than the source. */
  function repository(): { root: string; source: string } {
    const root = makeTempDir('runlens-build-');
    mkdirSync(join(root, 'collector/dist'), { recursive: true });
    mkdirSync(join(root, 'collector/src'), { recursive: true });
    const source = join(root, 'collector/src/app.ts');
    writeFileSync(source, 'export {};\n');
    const built = join(root, 'collector/dist/cli.mjs');
    writeFileSync(built, 'export {};\n');
    const past = new Date(Date.now() - 60_000);
    utimesSync(source, past, past);
    utimesSync(join(root, 'collector/src'), past, past);
    return { root, source };
  }

  it('is up to date when built after every source', () => {
    expect(isCollectorBuildStale(repository().root)).toBe(false);
  });

  it('is stale when a source changed after the build', () => {
    const { root, source } = repository();
    const future = new Date(Date.now() + 60_000);
    utimesSync(source, future, future);
    expect(isCollectorBuildStale(root)).toBe(true);
  });

  it('is stale when a source file was added or removed after the build', () => {
    const { root } = repository();
    const future = new Date(Date.now() + 60_000);
    mkdirSync(join(root, 'schema/src'), { recursive: true });
    utimesSync(join(root, 'schema/src'), future, future);
    expect(isCollectorBuildStale(root)).toBe(true);
  });

  it('is stale when there is no build', () => {
    expect(isCollectorBuildStale(makeTempDir('runlens-build-'))).toBe(true);
  });
});
