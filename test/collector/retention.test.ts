// Retention: `runlens prune` (and the background pruner) delete what the rules say, drop old
// contents, keep the rollups the dashboards read, and leave newer data untouched.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsResponse, RunsPage, TraceDetail } from '@runlens/schema';
import { makeTempDir, runCli, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns } from '../helpers/otel.ts';
import { getJson, getOk } from '../helpers/api.ts';

const DAY = 86_400_000;
const now = Date.now();
const running: RunningCollector[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** Runs older than 7 days go, failures stay 30 days, contents go after 1 day. */
const RETENTION = { maxAge: '7d', contentMaxAge: '1d', rules: [{ outcome: 'failure', maxAge: '30d' }] };

function writeConfig(dir: string, retention: Record<string, unknown>): string {
  const file = join(dir, 'runlens.config.json');
  writeFileSync(file, JSON.stringify({ retention }, null, 2));
  return file;
}

interface Seeded {
  db: string;
  config: string;
  ids: { oldSuccess: string; oldFailure: string; threeDays: string; recent: string };
}

/** A database holding four runs of different ages, written by a collector that is then stopped. */
async function seed(retention: Record<string, unknown> = RETENTION): Promise<Seeded> {
  const dir = makeTempDir();
  const db = join(dir, 'runlens.db');
  const collector = await startCollector({ db });
  const [oldSuccess, oldFailure, threeDays, recent] = await sendAgentRuns({ url: collector.url }, { serviceName: 'retention-agent', serviceVersion: '1.0.0' }, [
    { agent: 'a', question: 'old question', answer: 'old answer', startTime: now - 10 * DAY },
    { agent: 'a', question: 'old failing question', answer: 'no', failure: 'broke', startTime: now - 10 * DAY + 60_000 },
    { agent: 'a', question: 'three day question', answer: 'fine', startTime: now - 3 * DAY },
    { agent: 'a', question: 'recent question', answer: 'fresh', startTime: now - 2 * 3_600_000 },
  ]);
  expect(await collector.stop()).toBe(0);
  return { db, config: writeConfig(dir, retention), ids: { oldSuccess: oldSuccess!, oldFailure: oldFailure!, threeDays: threeDays!, recent: recent! } };
}

async function serve(db: string): Promise<RunningCollector> {
  const collector = await startCollector({ db });
  running.push(collector);
  return collector;
}

async function snapshot(url: string, ids: string[]) {
  const runs = await getOk<RunsPage>(url, '/api/runs?limit=100');
  const traces = await Promise.all(ids.map((id) => getJson<TraceDetail>(url, `/api/runs/${id}`)));
  return { runs, traces: traces.map((t) => [t.status, t.body]) };
}

function oldWindowRuns(metrics: MetricsResponse): number {
  return metrics.series.reduce((sum, s) => sum + s.points.reduce((n, p) => n + p.runs, 0), 0);
}

describe('runlens prune', () => {
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seed();
  });

  it('with --dry-run reports what would go and changes nothing', async () => {
    const ids = Object.values(seeded.ids);
    let collector = await serve(seeded.db);
    const before = await snapshot(collector.url, ids);
    await collector.stop();
    running.length = 0;

    const result = await runCli(['prune', '--dry-run', '--db', seeded.db, '--config', seeded.config]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/would delete 1 run \(2 spans\)/);
    expect(result.stdout).toMatch(/would drop the contents .* of \d+ spans/);
    expect(result.stdout).toMatch(/dry run: nothing was changed/);

    collector = await serve(seeded.db);
    expect(await snapshot(collector.url, ids)).toEqual(before);
  });

  it('deletes old runs, keeps failures longer, drops old contents and keeps the rollups', async () => {
    const { ids } = seeded;
    const window = `/api/metrics?from=${now - 11 * DAY}&to=${now - 9 * DAY}`;
    let collector = await serve(seeded.db);
    const metricsBefore = await getOk<MetricsResponse>(collector.url, window);
    expect(oldWindowRuns(metricsBefore)).toBe(2);
    const recentBefore = await getOk<TraceDetail>(collector.url, `/api/runs/${ids.recent}`);
    await collector.stop();
    running.length = 0;

    const result = await runCli(['prune', '--db', seeded.db, '--config', seeded.config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/deleted 1 run \(2 spans\)/);

    collector = await serve(seeded.db);
    const { runs } = await getOk<RunsPage>(collector.url, '/api/runs?limit=100');
    expect(runs.map((run) => run.traceId)).toEqual([ids.recent, ids.threeDays, ids.oldFailure]);
    expect((await getJson(collector.url, `/api/runs/${ids.oldSuccess}`)).status).toBe(404);

    // Past the content age: prompts and outputs gone, the numbers kept.
    const threeDays = await getOk<TraceDetail>(collector.url, `/api/runs/${ids.threeDays}`);
    const llm = threeDays.spans.find((span) => span.kind === 'llm')!;
    expect(llm.input).toBeNull();
    expect(llm.output).toBeNull();
    expect(llm.inputTokens).toBe(800);
    expect(threeDays.run.inputTokens).toBe(800);

    // Newer data untouched, to the byte.
    expect(await getOk<TraceDetail>(collector.url, `/api/runs/${ids.recent}`)).toEqual(recentBefore);

    // Dashboards still count the deleted run: rollups outlive the spans they summarise.
    expect(await getOk<MetricsResponse>(collector.url, window)).toEqual(metricsBefore);
  });

  it('refuses a database that does not exist instead of creating one', async () => {
    const missing = join(makeTempDir(), 'nothing.db');
    const result = await runCli(['prune', '--db', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`runlens: no database at ${missing} (give its path with --db)`);
  });
});

describe('the background pruner of a running collector', () => {
  it('applies the retention rules on its interval', async () => {
    const seeded = await seed();
    const collector = await startCollector({ db: seeded.db, args: ['--config', writeConfig(makeTempDir(), { ...RETENTION, interval: '1s' })] });
    running.push(collector);
    const deadline = Date.now() + 15_000;
    let traceIds: string[] = [];
    while (Date.now() < deadline) {
      traceIds = (await getOk<RunsPage>(collector.url, '/api/runs')).runs.map((run) => run.traceId);
      if (!traceIds.includes(seeded.ids.oldSuccess)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(traceIds).toEqual([seeded.ids.recent, seeded.ids.threeDays, seeded.ids.oldFailure]);
  });
});
