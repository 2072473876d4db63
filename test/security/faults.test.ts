// Faults: a collector killed with SIGKILL while ingesting or while pruning loses no acknowledged
// span and leaves no corruption; a full disk (SQLite's page limit) answers 503 with one clear log
// line and recovers when space returns, without a restart; a corrupt or unreadable database at
// start is one clear line, not a stack trace.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, runCli, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { get, postTraces, runBody } from './support.ts';

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.kill('SIGKILL')));
});

async function start(options: Parameters<typeof startCollector>[0]): Promise<RunningCollector> {
  const collector = await startCollector(options);
  running.push(collector);
  return collector;
}

function integrity(db: string): string {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.pragma('integrity_check', { simple: true }) as string;
  } finally {
    conn.close();
  }
}

function storedTraceIds(db: string): Set<string> {
  const conn = new Database(db, { readonly: true });
  try {
    return new Set((conn.prepare('SELECT DISTINCT trace_id FROM runs').all() as { trace_id: string }[]).map((r) => r.trace_id));
  } finally {
    conn.close();
  }
}

/** Clients posting distinct runs back to back until `stop()`; records what was acknowledged. */
function senders(url: string, count: number) {
  const acknowledged: string[] = [];
  let stopped = false;
  const loops = Array.from({ length: count }, async (_, worker) => {
    for (let i = 0; !stopped; i++) {
      const run = runBody({ n: worker * 1_000_000 + i });
      try {
        if ((await postTraces(url, run.body)).status === 200) acknowledged.push(run.traceId);
      } catch {
        // the collector was killed mid-request: not acknowledged
      }
    }
  });
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('a collector killed with SIGKILL', () => {
  it('while ingesting keeps every acknowledged span and an intact database', async () => {
    const db = tempDbPath();
    const first = await start({ db });
    const load = senders(first.url, 4);
    await new Promise((r) => setTimeout(r, 1500));
    await first.kill('SIGKILL');
    await load.stop();
    expect(load.acknowledged.length).toBeGreaterThan(10);

    const second = await start({ db });
    const stored = storedTraceIds(db);
    const lost = load.acknowledged.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    for (const id of load.acknowledged.slice(0, 20)) expect((await get(second.url, `/api/runs/${id}`)).body.spans).toHaveLength(3);
    await second.stop();
    expect(integrity(db)).toBe('ok');
  });

  it('while pruning keeps every acknowledged span, deletes whole runs only, and leaves an intact database', async () => {
    const db = tempDbPath();
    // 1500 runs from 60 days ago, kept by a long retention.
    const seeding = await start({ db, args: ['--retention-max-age', '3650d'] });
    const old = Date.now() - 60 * 86_400_000;
    for (let batch = 0; batch < 30; batch++) {
      const bodies = Array.from({ length: 50 }, (_, i) => JSON.parse(runBody({ n: batch * 50 + i }).body) as { resourceSpans: { scopeSpans: { spans: { startTimeUnixNano: string; endTimeUnixNano: string }[] }[] }[] });
      const spans = bodies.flatMap((b) => b.resourceSpans[0]!.scopeSpans[0]!.spans);
      for (const span of spans) {
        const shift = BigInt(Date.now() - old) * 1_000_000n;
        span.startTimeUnixNano = String(BigInt(span.startTimeUnixNano) - shift);
        span.endTimeUnixNano = String(BigInt(span.endTimeUnixNano) - shift);
      }
      const body = JSON.stringify({ resourceSpans: [{ ...bodies[0]!.resourceSpans[0], scopeSpans: [{ scope: { name: 'seed' }, spans }] }] });
      expect((await postTraces(seeding.url, body)).status).toBe(200);
    }
    await seeding.stop();
    running.splice(running.indexOf(seeding), 1);
    const seeded = storedTraceIds(db).size;
    expect(seeded).toBe(1500);

    // Now a 30-day retention pruning every 50 ms, while clients send; killed mid-prune.
    const dir = makeTempDir();
    writeFileSync(join(dir, 'runlens.config.json'), JSON.stringify({ retention: { maxAge: '30d', interval: '50ms' } }));
    const pruning = await start({ db, cwd: dir });
    const load = senders(pruning.url, 3);
    const deadline = Date.now() + 10_000;
    const oldRunsLeft = () => {
      const ids = storedTraceIds(db);
      return ids.size - load.acknowledged.filter((id) => ids.has(id)).length;
    };
    // Kill once clients have been answered and the prune is under way.
    while (Date.now() < deadline && (load.acknowledged.length < 5 || oldRunsLeft() > seeded - 50)) await new Promise((r) => setTimeout(r, 20));
    await pruning.kill('SIGKILL');
    await load.stop();
    const after = storedTraceIds(db);
    const oldLeft = [...after].length - load.acknowledged.filter((id) => after.has(id)).length;
    // The kill came while old runs were still being deleted.
    expect(oldLeft).toBeLessThan(seeded);
    expect(oldLeft).toBeGreaterThan(0);
    expect(load.acknowledged.filter((id) => !after.has(id))).toEqual([]);
    expect(integrity(db)).toBe('ok');

    // No half-deleted run: every run left has all of its spans.
    const restarted = await start({ db, args: ['--retention-max-age', '3650d'] });
    const conn = new Database(db, { readonly: true });
    const partial = conn
      .prepare('SELECT r.trace_id FROM runs r LEFT JOIN spans s ON s.run_id = r.id GROUP BY r.id HAVING count(s.span_id) <> 3')
      .all();
    conn.close();
    expect(partial).toEqual([]);
    expect((await get(restarted.url, `/api/runs/${load.acknowledged[0]}`)).status).toBe(200);
  });
});

describe('a full disk', () => {
  it('answers 503 with a clear log line, and takes writes again when space is raised at runtime', async () => {
    const db = tempDbPath();
    const collector = await start({ db, env: { RUNLENS_MAX_PAGE_COUNT: '120' } });
    let full: Awaited<ReturnType<typeof postTraces>> | null = null;
    const acknowledged: string[] = [];
    for (let i = 0; i < 2000 && !full; i++) {
      // Large, distinct texts fill pages quickly.
      const run = runBody({ n: i, toolResult: `result ${i} ${'x'.repeat(20)} ${Math.random().toString(36).repeat(200)}` });
      const answer = await postTraces(collector.url, run.body);
      if (answer.status === 200) acknowledged.push(run.traceId);
      else full = answer;
    }
    expect(full?.status).toBe(503);
    expect(Number(full!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(String(full!.body.message)).toMatch(/disk is full \(or the database reached its size limit\)/);
    await new Promise((r) => setTimeout(r, 100));
    const line = collector.logs().split('\n').find((l) => l.includes('answering ingest with 503'));
    expect(line).toMatch(/^runlens: answering ingest with 503 until the database takes writes again: database .* cannot take writes: the disk is full/);
    // Logged once, not once per refused request.
    await postTraces(collector.url, runBody({ toolResult: 'y'.repeat(50_000) }).body);
    expect(collector.logs().split('\n').filter((l) => l.includes('answering ingest with 503'))).toHaveLength(1);

    // Space returns: an admin raises the limit on the running writer.
    const raised = await fetch(`${collector.url}/api/admin/storage`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ maxPageCount: 1_000_000 }) });
    expect(raised.status).toBe(200);
    const after = runBody();
    expect((await postTraces(collector.url, after.body)).status).toBe(200);
    acknowledged.push(after.traceId);
    expect(collector.logs()).toMatch(/runlens: the database takes writes again/);
    const stored = storedTraceIds(db);
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    await collector.stop();
    expect(integrity(db)).toBe('ok');
  });
});

describe('a database that cannot be used at start', () => {
  function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it('that is damaged is one clear line', async () => {
    const db = tempDbPath();
    const seeded = await start({ db });
    expect((await postTraces(seeded.url, runBody().body)).status).toBe(200);
    await seeded.stop();
    running.splice(0);
    // Keep the header, overwrite the schema and the pages after it.
    const size = readFileSync(db).length;
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(Math.min(size - 100, 64 * 1024), 0xa5), 0, Math.min(size - 100, 64 * 1024), 100);
    closeSync(fd);
    expectOneLine(await runCli(['serve', '--port', '0', '--db', db]), /^runlens: cannot open database .*(not a Runlens database|malformed|damaged)/);
  });

  it('that is not a file is one clear line', async () => {
    const dir = makeTempDir();
    const db = join(dir, 'is-a-directory.db');
    mkdirSync(db);
    expectOneLine(await runCli(['serve', '--port', '0', '--db', db]), /^runlens: cannot open database .*is-a-directory\.db/);
  });

  it('in a directory that does not exist is one clear line', async () => {
    expectOneLine(await runCli(['serve', '--port', '0', '--db', '/nonexistent/dir/runlens.db']), /^runlens: cannot open database \/nonexistent\/dir\/runlens\.db/);
  });
});
