// The read side, on the main thread's read-only connection: runs list, one trace, dashboard
// metrics (from rollups only) and totals. Statements are prepared once and cached.
import type Database from 'better-sqlite3';
import type {
  MetricsPoint,
  MetricsQuery,
  MetricsResponse,
  MetricsSeries,
  Run,
  RunsPage,
  RunsQuery,
  SpanEvent,
  TraceDetail,
} from '@runlens/schema';
import { GEN_AI, nsToMs } from '@runlens/schema';
import { AttributeKeyReader } from './attribute-keys.ts';
import { ContentReader } from './contents.ts';
import { addToHistogram, histogramPercentile, type LatencyHistogram } from './latency-histogram.ts';
import { MINUTE_MS } from './rollups.ts';
import { RUN_COLUMNS, runFromRow, type RunRow } from './run-rows.ts';
import { SPAN_COLUMNS, spanFromRow, type SpanRow } from './span-rows.ts';

export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 500;
/** More buckets than this and the step is widened: no chart draws more points usefully. */
export const MAX_METRICS_BUCKETS = 2000;

const NS_PER_MS = 1_000_000n;

/** Rollup columns by MetricsQuery.groupBy. */
const GROUP_COLUMNS: Record<string, string> = { version: 'version', model: 'model', agent: 'agent', service: 'service' };

export class StoreReader {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #contents: ContentReader;
  readonly #keys: AttributeKeyReader;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#contents = new ContentReader(db);
    this.#keys = new AttributeKeyReader(db);
  }

  /** A statement prepared once per distinct SQL text (filters combine into a few shapes). */
  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql).safeIntegers(true);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  listRuns(query: RunsQuery): RunsPage {
    const limit = Math.max(1, Math.min(MAX_RUNS_LIMIT, Math.trunc(query.limit ?? DEFAULT_RUNS_LIMIT)));
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.from !== undefined) {
      where.push('start_ns >= ?');
      params.push(msToNs(query.from));
    }
    if (query.to !== undefined) {
      where.push('start_ns < ?');
      params.push(msToNs(query.to));
    }
    const equals: [keyof RunsQuery, string][] = [
      ['service', 'service'],
      ['agent', 'agent'],
      ['outcome', 'outcome'],
      ['model', 'model'],
      ['user', 'user_id'],
      ['session', 'session_id'],
    ];
    for (const [field, column] of equals) {
      if (query[field] === undefined) continue;
      where.push(`${column} = ?`);
      params.push(query[field]);
    }
    if (query.version !== undefined) {
      where.push('? IN (prompt_version, policy_version, app_version, model)');
      params.push(query.version);
    }
    if (query.q !== undefined && query.q.trim() !== '') {
      const match = ftsQuery(query.q);
      if (match === null) return { runs: [], nextCursor: null };
      where.push(`id IN (SELECT run_id FROM content_refs WHERE content_id IN (SELECT rowid FROM content_fts WHERE content_fts MATCH ?))`);
      params.push(match);
    }
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      where.push('(start_ns < ? OR (start_ns = ? AND trace_id < ?))');
      params.push(cursor.startNs, cursor.startNs, cursor.traceId);
    }
    const sql = `SELECT ${RUN_COLUMNS} FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY start_ns DESC, trace_id DESC LIMIT ?`;
    const rows = this.#prepare(sql).all(...params, limit + 1) as RunRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      runs: page.map(runFromRow),
      nextCursor: rows.length > limit && last ? encodeCursor(last.start_ns, last.trace_id) : null,
    };
  }

  getTrace(traceId: string): TraceDetail | null {
    const row = this.#prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE trace_id = ?`).get(traceId) as RunRow | undefined;
    if (!row) return null;
    const spanRows = this.#prepare(
`SELECT ${SPAN_COLUMNS} FROM spans WHERE run_id = ? ORDER BY start_ns, span_id`,
    ).all(row.id) as SpanRow[];
    const spans = spanRows.map((span) => spanFromRow(traceId, span, this.#contents, this.#keys));
    // Evaluation results sent as log records show as events on the span they judge.
    const evaluations = this.#prepare(
      'SELECT span_id, time_ns, attributes FROM evaluation_results WHERE trace_id = ? ORDER BY time_ns, id',
    ).all(traceId) as { span_id: string; time_ns: bigint; attributes: string }[];
    if (evaluations.length > 0) {
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      for (const evaluation of evaluations) {
        const span = byId.get(evaluation.span_id);
        if (!span) continue;
        const event: SpanEvent = { name: GEN_AI.evaluationResult, time: nsToMs(evaluation.time_ns), attributes: JSON.parse(evaluation.attributes) };
        span.events.push(event);
      }
    }
    return { run: runFromRow(row), spans };
  }

  metrics(query: MetricsQuery): MetricsResponse {
    const span = Math.max(0, query.to - query.from);
    // Whole minutes (the rollup grain), widened so a chart gets at most MAX_METRICS_BUCKETS points.
    let step = Math.max(MINUTE_MS, Math.ceil(query.step / MINUTE_MS) * MINUTE_MS);
    if (span / step > MAX_METRICS_BUCKETS) step = Math.ceil(span / MAX_METRICS_BUCKETS / MINUTE_MS) * MINUTE_MS;
    const groupColumn = query.groupBy === undefined ? "''" : Object.hasOwn(GROUP_COLUMNS, query.groupBy) ? GROUP_COLUMNS[query.groupBy] : undefined;
    // The column name is spliced into SQL: only the four known ones get through.
    if (groupColumn === undefined) throw new RangeError(`groupBy must be one of ${Object.keys(GROUP_COLUMNS).join(', ')}`);
    const where = ['minute >= ?', 'minute < ?'];
    const params: unknown[] = [Math.floor(query.from / MINUTE_MS), Math.ceil(query.to / MINUTE_MS)];
    if (query.service !== undefined) {
      where.push('service = ?');
      params.push(query.service);
    }
    if (query.agent !== undefined) {
      where.push('agent = ?');
      params.push(query.agent);
    }
    const sql = `SELECT (minute * ${MINUTE_MS} / ?) * ? AS t, ${groupColumn} AS grp, sum(runs) AS runs, sum(successes) AS successes,
        sum(escalations) AS escalations, sum(tool_calls) AS tool_calls, sum(tool_errors) AS tool_errors,
        sum(input_tokens) + sum(output_tokens) AS tokens, sum(cost_usd) AS cost, sum(cost_known_runs) AS cost_known,
        sum(policy_violations) AS violations
      FROM rollup_minute WHERE ${where.join(' AND ')} GROUP BY t, grp ORDER BY grp, t`;
    const latencySql = `SELECT (minute * ${MINUTE_MS} / ?) * ? AS t, ${groupColumn} AS grp, bucket, sum(runs) AS runs
      FROM rollup_latency WHERE ${where.join(' AND ')} GROUP BY t, grp, bucket`;
    // BigInt binds as an INTEGER, so the division truncates to the bucket start.
    const rows = this.#prepare(sql).all(BigInt(step), BigInt(step), ...params) as RollupBucketRow[];
    const latencies = new Map<string, LatencyHistogram>();
    for (const row of this.#prepare(latencySql).all(BigInt(step), BigInt(step), ...params) as { t: bigint; grp: string; bucket: bigint; runs: bigint }[]) {
      const key = `${row.t}:${row.grp}`;
      const histogram = latencies.get(key) ?? new Map<number, number>();
      addToHistogram(histogram, Number(row.bucket), Number(row.runs));
      latencies.set(key, histogram);
    }

    // The first bucket holds the first minute asked for, even when `from` is not on a step.
    const first = Math.floor((Math.floor(query.from / MINUTE_MS) * MINUTE_MS) / step) * step;
    const buckets: number[] = [];
    for (let t = first; t < query.to; t += step) buckets.push(t);
    const byGroup = new Map<string, Map<number, RollupBucketRow>>();
    for (const row of rows) {
      const group = byGroup.get(row.grp) ?? new Map<number, RollupBucketRow>();
      group.set(Number(row.t), row);
      byGroup.set(row.grp, group);
    }
    if (byGroup.size === 0 && query.groupBy === undefined) byGroup.set('', new Map());
    const series: MetricsSeries[] = [...byGroup].map(([group, points]) => ({
      group: group === '' ? null : group,
      // Every series has a point per bucket, so the viewer hands columns to the chart as they are.
      points: buckets.map((t) => metricsPoint(t, points.get(t), latencies.get(`${t}:${group}`) ?? new Map())),
    }));
    return { step, series };
  }

  totals(): { spans: number; runs: number } {
    const row = this.#prepare('SELECT spans, runs FROM totals WHERE id = 1').get() as { spans: bigint; runs: bigint } | undefined;
    return { spans: Number(row?.spans ?? 0n), runs: Number(row?.runs ?? 0n) };
  }

  /** Size of the database file's pages (the WAL is not counted). */
  dbBytes(): number {
    const row = this.#prepare('SELECT p.page_count * s.page_size AS bytes FROM pragma_page_count() p, pragma_page_size() s').get() as { bytes: bigint };
    return Number(row.bytes);
  }
}

interface RollupBucketRow {
  t: bigint;
  grp: string;
  runs: bigint;
  successes: bigint;
  escalations: bigint;
  tool_calls: bigint;
  tool_errors: bigint;
  tokens: bigint;
  cost: number;
  cost_known: bigint;
  violations: bigint;
}

function metricsPoint(t: number, row: RollupBucketRow | undefined, histogram: LatencyHistogram): MetricsPoint {
  const runs = Number(row?.runs ?? 0n);
  if (!row || runs <= 0) {
    return { t, runs: 0, successRate: null, toolErrorRate: null, escalationRate: null, p50Ms: null, p95Ms: null, p99Ms: null, tokensPerRun: null, costPerRun: null, costPerSuccess: null, violationsPerRun: null };
  }
  const successes = Number(row.successes);
  const toolCalls = Number(row.tool_calls);
  const costKnown = Number(row.cost_known);
  const cost = Number(row.cost);
  return {
    t,
    runs,
    successRate: successes / runs,
    toolErrorRate: toolCalls > 0 ? Number(row.tool_errors) / toolCalls : null,
    escalationRate: Number(row.escalations) / runs,
    p50Ms: histogramPercentile(histogram, 0.5),
    p95Ms: histogramPercentile(histogram, 0.95),
    p99Ms: histogramPercentile(histogram, 0.99),
    tokensPerRun: Number(row.tokens) / runs,
    costPerRun: costKnown > 0 ? cost / costKnown : null,
    // Spend per successful run is only stated when every run's spend is known: never a guess.
    costPerSuccess: costKnown === runs && successes > 0 ? cost / successes : null,
    violationsPerRun: Number(row.violations) / runs,
  };
}

function msToNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * NS_PER_MS;
}

/** Cursors are opaque to clients: base64url of "startNs:traceId" of the last run of a page. */
function encodeCursor(startNs: bigint, traceId: string): string {
  return Buffer.from(`${startNs}:${traceId}`).toString('base64url');
}

function decodeCursor(cursor: string): { startNs: bigint; traceId: string } {
  const match = /^(\d{1,20}):([0-9a-f]{32})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new RangeError('cursor is not one this server issued (pass back nextCursor unchanged)');
  return { startNs: BigInt(match[1]!), traceId: match[2]! };
}

/**
 * Turns free text into an FTS5 query: every word must appear (as a word or a word's start).
 * Quoting each word keeps FTS5 operators and punctuation in the text from being parsed.
 * Null when the text has no word to search for.
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (!words) return null;
  return words.map((word) => `"${word}"*`).join(' ');
}
