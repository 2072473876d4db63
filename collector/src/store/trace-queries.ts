// Reads of one trace in parts, for large traces: the light form the waterfall needs (no inputs,
// outputs or attributes, so no `contents` reads and ~100 B a span of JSON instead of ~1 KB), and
// one span in full when it is selected. The full trace stays StoreReader.getTrace.
import type Database from 'better-sqlite3';
import type { Run, Span, SpanEvent } from '@runlens/schema';
import { GEN_AI, nsToMs } from '@runlens/schema';
import { AttributeKeyReader } from './attribute-keys.ts';
import { ContentReader } from './contents.ts';
import { RUN_COLUMNS, runFromRow, type RunRow } from './run-rows.ts';
import { SPAN_COLUMNS, spanFromRow, type SpanRow } from './span-rows.ts';

/** A Span without its contents: `GET /api/runs/:traceId?contents=false`. Events are kept (inline, small). */
export type SpanSummary = Omit<Span, 'input' | 'output' | 'attributes'>;

export interface TraceSummary {
  run: Run;
  spans: SpanSummary[];
}

const SUMMARY_COLUMNS = `span_id, parent_span_id, name, kind, start_ns, end_ns, status, status_message, error_type, service, model,
  provider, input_tokens, output_tokens, cached_tokens, cost_usd, tool_name, finish_reason, events`;

interface SummaryRow {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  start_ns: bigint;
  end_ns: bigint;
  status: string;
  status_message: string | null;
  error_type: string | null;
  service: string | null;
  model: string | null;
  provider: string | null;
  input_tokens: bigint | null;
  output_tokens: bigint | null;
  cached_tokens: bigint | null;
  cost_usd: number | bigint | null;
  tool_name: string | null;
  finish_reason: string | null;
  events: string | null;
}

interface EvaluationRow {
  span_id: string;
  time_ns: bigint;
  attributes: string;
}

const numberOrNull = (value: bigint | number | null): number | null => (value === null ? null : Number(value));

export class TraceQueries {
  readonly #run;
  readonly #summaries;
  readonly #span;
  readonly #evaluations;
  readonly #spanEvaluations;
  readonly #contents: ContentReader;
  readonly #keys: AttributeKeyReader;

  constructor(db: Database.Database) {
    this.#run = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE trace_id = ?`).safeIntegers(true);
    this.#summaries = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM spans WHERE run_id = ? ORDER BY start_ns, span_id`).safeIntegers(true);
    this.#span = db.prepare(`SELECT ${SPAN_COLUMNS} FROM spans WHERE run_id = ? AND span_id = ?`).safeIntegers(true);
    this.#evaluations = db.prepare('SELECT span_id, time_ns, attributes FROM evaluation_results WHERE trace_id = ? ORDER BY time_ns, id').safeIntegers(true);
    this.#spanEvaluations = db
      .prepare('SELECT span_id, time_ns, attributes FROM evaluation_results WHERE trace_id = ? AND span_id = ? ORDER BY time_ns, id')
      .safeIntegers(true);
    this.#contents = new ContentReader(db);
    this.#keys = new AttributeKeyReader(db);
  }

  /** The run and its spans without inputs, outputs and attributes; null for an unknown trace. */
  getTraceSummary(traceId: string): TraceSummary | null {
    const run = this.#run.get(traceId) as RunRow | undefined;
    if (!run) return null;
    const spans = (this.#summaries.all(run.id) as SummaryRow[]).map((row) => summaryFromRow(traceId, row));
    addEvaluations(spans, this.#evaluations.all(traceId) as EvaluationRow[]);
    return { run: runFromRow(run), spans };
  }

  /** One span in full (as in GET /api/runs/:traceId); null when the trace or the span is unknown. */
  getSpan(traceId: string, spanId: string): Span | null {
    const run = this.#run.get(traceId) as RunRow | undefined;
    if (!run) return null;
    const row = this.#span.get(run.id, spanId) as SpanRow | undefined;
    if (!row) return null;
    const span = spanFromRow(traceId, row, this.#contents, this.#keys);
    addEvaluations([span], this.#spanEvaluations.all(traceId, spanId) as EvaluationRow[]);
    return span;
  }
}

function summaryFromRow(traceId: string, row: SummaryRow): SpanSummary {
  return {
    traceId,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind as Span['kind'],
    startTime: nsToMs(row.start_ns),
    durationMs: Number(row.end_ns - row.start_ns) / 1e6,
    status: row.status as Span['status'],
    statusMessage: row.status_message,
    service: row.service,
    model: row.model,
    provider: row.provider,
    inputTokens: numberOrNull(row.input_tokens),
    outputTokens: numberOrNull(row.output_tokens),
    cachedTokens: numberOrNull(row.cached_tokens),
    costUsd: numberOrNull(row.cost_usd),
    toolName: row.tool_name,
    finishReason: row.finish_reason,
    errorType: row.error_type,
    events: row.events === null ? [] : (JSON.parse(row.events) as SpanEvent[]),
  };
}

/** Evaluation results sent as log records show as events on the span they judge (as getTrace does). */
function addEvaluations(spans: Pick<Span, 'spanId' | 'events'>[], evaluations: EvaluationRow[]): void {
  if (evaluations.length === 0) return;
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  for (const evaluation of evaluations) {
    byId.get(evaluation.span_id)?.events.push({ name: GEN_AI.evaluationResult, time: nsToMs(evaluation.time_ns), attributes: JSON.parse(evaluation.attributes) });
  }
}
