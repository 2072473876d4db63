import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@runlens/schema/migrations';
import { agentRun, newTraceId } from './agent-run-fixture.ts';
import { mergeEncodedHistogram, type LatencyHistogram } from './latency-histogram.ts';
import { openWriterDatabase } from './migrate.ts';
import { StoreReader } from './queries.ts';
import { SpanWriter } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-rollups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
// Not on an hour: the first and last hours asked for are partial.
const T0 = Date.UTC(2026, 10, 20, 9, 17, 0);

/** A database with runs over ~5 hours, a third of them written in two parts (root first). */
function filledDatabase(name: string) {
  const db = openWriterDatabase(join(dir, name));
  const writer = new SpanWriter(db);
  for (let i = 0; i < 90; i++) {
    const spans = agentRun({
      traceId: newTraceId(),
      startMs: T0 + i * 200_000,
      durationMs: 300 + ((i * 7919) % 20_000),
      promptVersion: i % 3 === 0 ? 'v1' : 'v2',
      error: i % 5 === 0 ? 'boom' : undefined,
      steps: 1,
    });
    if (i % 3 === 1) {
      writer.writeSpans(spans.slice(0, 1));
      writer.writeSpans(spans.slice(1));
    } else {
      writer.writeSpans(spans);
    }
  }
  return db;
}

type Db = ReturnType<typeof filledDatabase>;

/** rollup_hour as {key: row with its histogram decoded}. */
function hourRows(db: Db): Map<string, { runs: number; failures: number; toolCalls: number; latency: LatencyHistogram }> {
  const rows = db.prepare('SELECT * FROM rollup_hour').all() as Record<string, unknown>[];
  return new Map(
    rows.map((row) => [
      `${row.minute}|${row.service}|${row.agent}|${row.version}|${row.model}`,
      { runs: row.runs as number, failures: row.failures as number, toolCalls: row.tool_calls as number, latency: mergeEncodedHistogram(new Map(), row.latency as Buffer) },
    ]),
  );
}

/** The same, summed from the minute rollups. */
function hourRowsFromMinutes(db: Db): ReturnType<typeof hourRows> {
  const sums = db
    .prepare(`SELECT minute / 60 * 60 AS hour, service, agent, version, model, sum(runs) AS runs, sum(failures) AS failures,
      sum(tool_calls) AS toolCalls FROM rollup_minute GROUP BY 1, 2, 3, 4, 5`)
    .all() as { hour: number; service: string; agent: string; version: string; model: string; runs: number; failures: number; toolCalls: number }[];
  const result: ReturnType<typeof hourRows> = new Map();
  for (const row of sums) result.set(`${row.hour}|${row.service}|${row.agent}|${row.version}|${row.model}`, { runs: row.runs, failures: row.failures, toolCalls: row.toolCalls, latency: new Map() });
  const buckets = db
    .prepare('SELECT minute / 60 * 60 AS hour, service, agent, version, model, bucket, sum(runs) AS runs FROM rollup_latency GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(runs) <> 0')
    .all() as { hour: number; service: string; agent: string; version: string; model: string; bucket: number; runs: number }[];
  for (const row of buckets) result.get(`${row.hour}|${row.service}|${row.agent}|${row.version}|${row.model}`)!.latency.set(row.bucket, row.runs);
  return result;
}

describe('hourly rollups', () => {
  it('hold the sums and latency histograms of the minute rollups, runs moved between rows included', () => {
    const db = filledDatabase('sums.db');
    try {
      const hours = hourRows(db);
      expect(hours.size).toBeGreaterThan(5);
      expect(hours).toEqual(hourRowsFromMinutes(db));
      expect([...hours.values()].reduce((sum, row) => sum + row.runs, 0)).toBe(90);
    } finally {
      db.close();
    }
  });

  it('are backfilled from the minute rollups by their migration', () => {
    const db = filledDatabase('backfill.db');
    try {
      const written = hourRows(db);
      db.exec('DROP TABLE rollup_hour');
      db.exec(MIGRATIONS.find((migration) => migration.version === 500)!.sql);
      expect(hourRows(db)).toEqual(written);
    } finally {
      db.close();
    }
  });

  it('give a dashboard in whole hours the same answer as the minute rollups, partial hours included', () => {
    const db = filledDatabase('dashboard.db');
    try {
      const reader = new StoreReader(db);
      for (const step of [HOUR, 2 * HOUR]) {
        const query = { from: T0 + 20 * 60_000, to: T0 + 4 * HOUR + 5 * 60_000, step, groupBy: 'version' as const };
        const hourly = reader.metrics(query);
        const minutes = reader.metrics(query, { hourly: false });
        expect(hourly.series.map((s) => s.group)).toEqual(minutes.series.map((s) => s.group));
        hourly.series.forEach((series, i) => {
          series.points.forEach((point, j) => {
            const other = minutes.series[i]!.points[j]!;
            expect({ ...point, costPerRun: null, costPerSuccess: null }).toEqual({ ...other, costPerRun: null, costPerSuccess: null });
            expect(point.costPerRun ?? 0).toBeCloseTo(other.costPerRun ?? 0, 9);
          });
        });
        expect(hourly.series.flatMap((s) => s.points).reduce((sum, p) => sum + p.runs, 0)).toBeGreaterThan(60);
      }
    } finally {
      db.close();
    }
  });
});
