// The `runlens` command as a user meets it: help, flags, environment, errors, signals, and the
// viewer served on the collector's port.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthResponse } from '@runlens/schema';
import { makeTempDir, runCli, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { getOk, openEventStream } from '../helpers/api.ts';

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

async function serve(options: Parameters<typeof startCollector>[0]): Promise<RunningCollector> {
  const collector = await startCollector(options);
  running.push(collector);
  return collector;
}

/** stderr of a failed start: exactly one line, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

describe.concurrent('help', () => {
  it('lists the commands', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: runlens <command>/);
    expect(result.stdout).toMatch(/^ {2}serve /m);
    expect(result.stdout).toMatch(/^ {2}prune /m);
  });

  it.each(['serve', 'prune'])('explains every option of %s', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: runlens ${command} [options]`);
    expect(result.stdout).toContain('--db PATH');
    expect(result.stdout).toContain('--config FILE');
    if (command === 'serve') expect(result.stdout).toMatch(/--host HOST[\s\S]*--port PORT/);
    if (command === 'prune') expect(result.stdout).toContain('--dry-run');
  });
});

describe.concurrent('usage errors exit 2', () => {
  it('on an unknown flag', async () => {
    const result = await runCli(['serve', '--prot', '5']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toBe("runlens: Unknown option '--prot'. See: runlens serve --help");
  });

  it('on a flag without its value', async () => {
    const result = await runCli(['serve', '--port']);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^runlens: Option '-p, --port <value>' argument missing\. See: runlens serve --help$/);
  });

  it('on an unknown command', async () => {
    const result = await runCli(['serv']);
    expect(result.code).toBe(2);
    // Other commands join the list as they are added; the message's shape is what matters.
    expect(oneLine(result.stderr)).toMatch(/^runlens: unknown command "serv" \(commands: serve, prune(, [a-z-]+)*\)\. See: runlens --help$/);
  });
});

describe.concurrent('start-up failures exit 1 with one clear line', () => {
  it('a config file that does not exist', async () => {
    const result = await runCli(['serve', '--config', 'nope.json', '--port', '0', '--db', tempDbPath()]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^runlens: cannot read config file nope\.json: ENOENT/);
  });

  it('a config file with a bad value names the setting', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'runlens.config.json'), JSON.stringify({ retention: { maxAge: 'forever' } }));
    // Found in the working directory without --config.
    const result = await runCli(['serve', '--port', '0', '--db', tempDbPath()], { cwd: dir });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe('runlens: runlens.config.json: retention.maxAge: expected a duration such as "30d", "12h" or "15m", got "forever"');
  });

  it('a bad port from the environment', async () => {
    const result = await runCli(['serve', '--db', tempDbPath()], { env: { RUNLENS_PORT: '99999' } });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe('runlens: RUNLENS_PORT: expected a port number from 0 to 65535, got "99999"');
  });

  it('a file that is not a database', async () => {
    const db = join(makeTempDir(), 'runlens.db');
    writeFileSync(db, 'this is not a SQLite database, just some text that is long enough to have a header'.repeat(20));
    const result = await runCli(['serve', '--port', '0', '--db', db]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(new RegExp(`^runlens: cannot open database ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });

  it('a port already in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port), '--db', tempDbPath()]);
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toBe(`runlens: cannot listen on 127.0.0.1:${port}: the port is in use (pick another with --port, or --port 0 for any free port)`);
    } finally {
      blocker.close();
    }
  });
});

describe('serve', () => {
  it('logs the database it opened and where it listens, on 127.0.0.1 by default', async () => {
    const collector = await serve({});
    expect(collector.logs()).toContain(`runlens opened database ${collector.dbPath}`);
    expect(collector.url).toBe(`http://127.0.0.1:${collector.port}`);
    expect(collector.port).toBeGreaterThan(0);
  });

  it('reads its port and database from RUNLENS_PORT and RUNLENS_DB', async () => {
    const db = tempDbPath();
    const collector = await serve({ serveArgs: [], env: { RUNLENS_PORT: '0', RUNLENS_DB: db } });
    expect((await getOk<HealthResponse>(collector.url, '/healthz')).db).toBe(db);
  });

  it('lets flags win over the environment', async () => {
    const db = tempDbPath();
    const collector = await serve({ db, env: { RUNLENS_DB: tempDbPath(), RUNLENS_PORT: '1' } });
    expect((await getOk<HealthResponse>(collector.url, '/healthz')).db).toBe(db);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s', async (signal) => {
    const collector = await startCollector();
    const exited = new Promise<number | null>((resolve) => collector.process.once('exit', resolve));
    collector.process.kill(signal);
    expect(await exited).toBe(0);
    expect(collector.logs()).toMatch(new RegExp(`received ${signal}[\\s\\S]*runlens stopped`));
  });

  it('stops promptly while a live stream is open', async () => {
    const collector = await startCollector();
    const stream = await openEventStream(collector.url);
    const started = Date.now();
    try {
      expect(await collector.stop()).toBe(0);
    } finally {
      stream.close();
    }
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('the viewer on the same port', () => {
  function fakeViewerBuild(): string {
    const dir = makeTempDir();
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Runlens viewer</title><script src="/assets/index-4f2a9c.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-4f2a9c.js'), 'console.log("viewer")');
    return dir;
  }

  function configWith(settings: Record<string, unknown>): string {
    const file = join(makeTempDir(), 'runlens.config.json');
    writeFileSync(file, JSON.stringify(settings));
    return file;
  }

  it('serves the build, caches hashed assets and falls back to index.html for app routes', async () => {
    const collector = await serve({ args: ['--config', configWith({ viewerDir: fakeViewerBuild() })] });
    const index = await fetch(collector.url + '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('Runlens viewer');

    const asset = await fetch(collector.url + '/assets/index-4f2a9c.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("viewer")');

    const route = await fetch(collector.url + '/runs/5b8aa5a2d2c872e8321cf37308d69df2');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('Runlens viewer');

    expect((await fetch(collector.url + '/assets/missing-000.js')).status).toBe(404);
    expect((await fetch(collector.url + '/../../etc/passwd')).status).not.toBe(500);
    expect((await fetch(collector.url + '/api/runs')).headers.get('content-type')).toMatch(/json/);
  });

  it('says how to build it when there is no build', async () => {
    const collector = await serve({ args: ['--config', configWith({ viewerDir: join(makeTempDir(), 'dist') })] });
    const page = await fetch(collector.url + '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build');
  });
});
