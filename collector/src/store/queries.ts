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
import { addToHistogram, histogramPercentile, mergeEncodedHistogram, type LatencyHistogram } from './latency-histogram.ts';
import { HOUR_MINUTES, MINUTE_MS } from './rollups.ts';
import { RUN_COLUMNS, runFromRow, type RunRow } from './run-rows.ts';
import { SPAN_COLUMNS, spanFromRow, type SpanRow } from './span-rows.ts';

export const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RUNS_LIMIT = 500;
/** More buckets than this and the step is widened: no chart draws more points usefully. */
export const MAX_METRICS_BUCKETS = 2000;
/**
 * A text search matching at least this many (content, run) pairs walks runs newest first; below
 * it, fetching and sorting the few matching runs is cheaper (bench/README.md, query log).
 */
export const MANY_MATCHES = 1000;
/** Sizes of the successive slices of newest runs a search with many matches looks through. */
export const SEARCH_SLICES = [2048, 32768];

interface Condition {
  sql: string;
  params: unknown[];
}

const NS_PER_MS = 1_000_000n;

/** Rollup columns by MetricsQuery.groupBy. */
const GROUP_COLUMNS: Record<string, string> = { version: 'version', model: 'model', agent: 'agent', service: 'service' };
/** The columns rollup_minute and rollup_hour share. */
const ROLLUP_COLUMNS = `minute, service, agent, version, model, runs, successes, escalations, tool_calls, tool_errors, input_tokens,
  output_tokens, cost_usd, cost_known_runs, policy_violations`;

export class StoreReader {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #contents: ContentReader;
  readonly #keys: AttributeKeyReader;
  readonly #searchSlices: readonly number[];

  constructor(db: Database.Database, options: { searchSlices?: readonly number[] } = {}) {
    this.#db = db;
    this.#searchSlices = options.searchSlices ?? SEARCH_SLICES;
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
    // Conditions on start_ns (time range, cursor) bound a walk of runs_by_start; the others filter.
    const time: Condition[] = [];
    const filters: Condition[] = [];
    if (query.from !== undefined) time.push({ sql: 'start_ns >= ?', params: [msToNs(query.from)] });
    if (query.to !== undefined) time.push({ sql: 'start_ns < ?', params: [msToNs(query.to)] });
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      time.push({ sql: '(start_ns < ? OR (start_ns = ? AND trace_id < ?))', params: [cursor.startNs, cursor.startNs, cursor.traceId] });
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
      if (query[field] !== undefined) filters.push({ sql: `${column} = ?`, params: [query[field]] });
    }
    if (query.version !== undefined) filters.push({ sql: '? IN (prompt_version, policy_version, app_version, model)', params: [query.version] });
    let rows: RunRow[];
    if (query.q !== undefined && query.q.trim() !== '') {
      const match = ftsQuery(query.q);
      if (match === null) return { runs: [], nextCursor: null };
      rows = this.#searchRuns(time, filters, match, limit + 1);
    } else {
      rows = this.#selectRuns([...time, ...filters], limit + 1);
    }
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      runs: page.map(runFromRow),
      nextCursor: rows.length > limit && last ? encodeCursor(last.start_ns, last.trace_id) : null,
    };
  }

  #selectRuns(conditions: Condition[], limit: number): RunRow[] {
    const sql = `SELECT ${RUN_COLUMNS} FROM runs ${conditions.length > 0 ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : ''}
      ORDER BY start_ns DESC, trace_id DESC LIMIT ?`;
    return this.#prepare(sql).all(...conditions.flatMap((c) => c.params), limit) as RunRow[];
  }

  /**
   * Runs whose texts match, newest first. Left to itself SQLite drives from the match list: it
   * fetches every matching run and sorts them all (seconds for a word most runs contain). When
   * many match, runs are taken instead in slices of the start index, newest first: a slice's run
   * ids bound the content_refs lookups, and the walk stops once a page is full.
   */
  #searchRuns(time: Condition[], filters: Condition[], match: string, want: number): RunRow[] {
    // The match list is read once (FTS5 prefix queries cost milliseconds each) and bound as JSON.
    const contentIds = this.#prepare('SELECT rowid AS id FROM content_fts WHERE content_fts MATCH ?').all(match) as { id: bigint }[];
    if (contentIds.length === 0) return [];
    const idList = `[${contentIds.map((row) => row.id).join(',')}]`;
    const matching = (bounds: string) => ({
      sql: `id IN (SELECT run_id FROM content_refs WHERE content_id IN (SELECT value FROM json_each(?))${bounds})`,
      params: [idList] as unknown[],
    });
    const refs = this.#prepare(
      'SELECT count(*) AS n FROM (SELECT 1 FROM content_refs WHERE content_id IN (SELECT value FROM json_each(?)) LIMIT ?)',
    ).get(idList, MANY_MATCHES) as { n: bigint };
    if (Number(refs.n) < MANY_MATCHES) return this.#selectRuns([...time, ...filters, matching('')], want);

    const rows: RunRow[] = [];
    const bound = [...time];
    const where = (conditions: Condition[]) => (conditions.length > 0 ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '');
    const paramsOf = (conditions: Condition[]) => conditions.flatMap((c) => c.params);
    for (const size of this.#searchSlices) {
      // The slice: the `size` newest runs left, plus any that share the oldest one's start.
      const edge = this.#prepare(
        `SELECT start_ns FROM runs INDEXED BY runs_by_start ${where(bound)} ORDER BY start_ns DESC, trace_id DESC LIMIT 1 OFFSET ?`,
      ).get(...paramsOf(bound), size - 1) as { start_ns: bigint } | undefined;
      if (edge === undefined) break;
      const slice = [...bound, { sql: 'start_ns >= ?', params: [edge.start_ns] }];
      const ids = this.#prepare(`SELECT min(id) AS lo, max(id) AS hi FROM runs INDEXED BY runs_by_start ${where(slice)}`).get(...paramsOf(slice)) as { lo: bigint; hi: bigint };
      const inSlice = matching(' AND run_id BETWEEN ? AND ?');
      inSlice.params.push(ids.lo, ids.hi);
      rows.push(...this.#selectRuns([...slice, ...filters, inSlice], want - rows.length));
      if (rows.length >= want) return rows;
      bound.push({ sql: 'start_ns < ?', params: [edge.start_ns] });
    }
    // Matches are sparse among recent runs: the rest the plain way.
    rows.push(...this.#selectRuns([...bound, ...filters, matching('')], want - rows.length));
    return rows;
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

  /**
   * Dashboard series from the rollups: the hourly ones when the step is whole hours (minute rows
   * fill the partial hours at either end, so the answer is the same), the minute ones otherwise.
   * `hourly: false` reads minute rows only (to compare the two).
   */
  metrics(query: MetricsQuery, options: { hourly?: boolean } = {}): MetricsResponse {
    const span = Math.max(0, query.to - query.from);
    // Whole minutes (the rollup grain), widened so a chart gets at most MAX_METRICS_BUCKETS points.
    let step = Math.max(MINUTE_MS, Math.ceil(query.step / MINUTE_MS) * MINUTE_MS);
    if (span / step > MAX_METRICS_BUCKETS) step = Math.ceil(span / MAX_METRICS_BUCKETS / MINUTE_MS) * MINUTE_MS;
    const groupColumn = query.groupBy === undefined ? "''" : Object.hasOwn(GROUP_COLUMNS, query.groupBy) ? GROUP_COLUMNS[query.groupBy] : undefined;
    // The column name is spliced into SQL: only the four known ones get through.
    if (groupColumn === undefined) throw new RangeError(`groupBy must be one of ${Object.keys(GROUP_COLUMNS).join(', ')}`);
    const filters: string[] = [];
    const filterParams: unknown[] = [];
    if (query.service !== undefined) {
      filters.push('AND service = ?');
      filterParams.push(query.service);
    }
    if (query.agent !== undefined) {
      filters.push('AND agent = ?');
      filterParams.push(query.agent);
    }
    const fromMinute = Math.floor(query.from / MINUTE_MS);
    const toMinute = Math.max(fromMinute, Math.ceil(query.to / MINUTE_MS));
    // Each branch reads one table over [from, to) minutes; the hourly table covers the whole hours
    // inside the range (a step of whole hours puts each hour in one bucket), minute rows the edges.
    const branches: { table: 'minute' | 'hour'; from: number; to: number }[] = [];
    const firstHour = Math.ceil(fromMinute / HOUR_MINUTES) * HOUR_MINUTES;
    const endHour = Math.floor(toMinute / HOUR_MINUTES) * HOUR_MINUTES;
    if (options.hourly !== false && step % (HOUR_MINUTES * MINUTE_MS) === 0 && firstHour < endHour) {
      branches.push({ table: 'minute', from: fromMinute, to: firstHour }, { table: 'hour', from: firstHour, to: endHour }, { table: 'minute', from: endHour, to: toMinute });
    } else {
      branches.push({ table: 'minute', from: fromMinute, to: toMinute });
    }
    const range = `minute >= ? AND minute < ? ${filters.join(' ')}`;
    const rangeParams = (branch: { from: number; to: number }) => [branch.from, branch.to, ...filterParams];
    const minuteBranches = branches.filter((branch) => branch.table === 'minute');
    const hourBranch = branches.find((branch) => branch.table === 'hour');
    const bucketOf = `(minute * ${MINUTE_MS} / ?) * ?`;

    const sql = `SELECT ${bucketOf} AS t, ${groupColumn} AS grp, sum(runs) AS runs, sum(successes) AS successes,
        sum(escalations) AS escalations, sum(tool_calls) AS tool_calls, sum(tool_errors) AS tool_errors,
        sum(input_tokens) + sum(output_tokens) AS tokens, sum(cost_usd) AS cost, sum(cost_known_runs) AS cost_known,
        sum(policy_violations) AS violations
      FROM (${branches.map((branch) => `SELECT ${ROLLUP_COLUMNS} FROM rollup_${branch.table} WHERE ${range}`).join(' UNION ALL ')})
      GROUP BY t, grp ORDER BY grp, t`;
    const latencySql = `SELECT ${bucketOf} AS t, ${groupColumn} AS grp, bucket, sum(runs) AS runs
      FROM (${minuteBranches.map(() => `SELECT minute, service, agent, version, model, bucket, runs FROM rollup_latency WHERE ${range}`).join(' UNION ALL ')}) GROUP BY t, grp, bucket`;
    // BigInt binds as an INTEGER, so the division truncates to the bucket start.
    const stepParams = [BigInt(step), BigInt(step)];
    const rows = this.#prepare(sql).all(...stepParams, ...branches.flatMap(rangeParams)) as RollupBucketRow[];
    const latencies = new Map<string, LatencyHistogram>();
    const histogramOf = (t: bigint, group: string) => {
      const key = `${t}:${group}`;
      let histogram = latencies.get(key);
      if (!histogram) latencies.set(key, (histogram = new Map()));
      return histogram;
    };
    for (const row of this.#prepare(latencySql).all(...stepParams, ...minuteBranches.flatMap(rangeParams)) as { t: bigint; grp: string; bucket: bigint; runs: bigint }[]) {
      addToHistogram(histogramOf(row.t, row.grp), Number(row.bucket), Number(row.runs));
    }
    if (hourBranch) {
      const hourLatencySql = `SELECT ${bucketOf} AS t, ${groupColumn} AS grp, latency FROM rollup_hour WHERE ${range}`;
      for (const row of this.#prepare(hourLatencySql).all(...stepParams, ...rangeParams(hourBranch)) as { t: bigint; grp: string; latency: Buffer }[]) {
        mergeEncodedHistogram(histogramOf(row.t, row.grp), row.latency);
      }
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
 * Turns free text into an FTS5 query: every term must appear (as a word or a word's start).
 * Quoting each word keeps FTS5 operators and punctuation in the text from being parsed. Words
 * joined by punctuation (an id like `A-y65qz`, `user's`) stay one phrase: split, a one-letter
 * prefix like `"A"*` would match nearly every text. A lone one-letter word is dropped for the
 * same reason, unless it is all there is. Null when the text has no word to search for.
 */
export function ftsQuery(text: string): string | null {
  const terms: string[][] = [];
  for (const chunk of text.split(/\s+/u)) {
    const words = chunk.match(/[\p{L}\p{N}_]+/gu);
    if (words) terms.push(words);
  }
  if (terms.length === 0) return null;
  const meaningful = terms.filter((words) => words.length > 1 || [...words[0]!].length > 1);
  return (meaningful.length > 0 ? meaningful : terms).map((words) => `"${words.join(' ')}"*`).join(' ');
}
