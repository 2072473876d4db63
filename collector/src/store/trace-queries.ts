// Reads of one trace in parts, for large traces: the light form the waterfall needs (no inputs,
// outputs or attributes, so no `contents` reads and ~100 B a span of JSON instead of ~1 KB), and
// one span in full when it is selected. The full trace stays StoreReader.getTrace.
import type Database from 'better-sqlite3';
import type { Span, SpanSummary, TraceSummary } from '@runlens/schema';
import { GEN_AI, nsToMs, runInputOutput, runIoSpans } from '@runlens/schema';
import { AttributeKeyReader } from './attribute-keys.ts';
import { ContentReader } from './contents.ts';
import { RUN_COLUMNS, runFromRow, type RunRow } from './run-rows.ts';
import { SPAN_COLUMNS, SPAN_SUMMARY_COLUMNS, spanFromRow, spanInputOutput, spanSummaryFromRow, type SpanRow, type SpanSummaryRow } from './span-rows.ts';

interface EvaluationRow {
  span_id: string;
  time_ns: bigint;
  attributes: string;
}

export class TraceQueries {
  readonly #run;
  readonly #summaries;
  readonly #span;
  readonly #payload;
  readonly #evaluations;
  readonly #spanEvaluations;
  readonly #contents: ContentReader;
  readonly #keys: AttributeKeyReader;

  constructor(db: Database.Database) {
    this.#run = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE trace_id = ?`).safeIntegers(true);
    this.#summaries = db.prepare(`SELECT ${SPAN_SUMMARY_COLUMNS} FROM spans WHERE run_id = ? ORDER BY start_ns, span_id`).safeIntegers(true);
    this.#span = db.prepare(`SELECT ${SPAN_COLUMNS} FROM spans WHERE run_id = ? AND span_id = ?`).safeIntegers(true);
    this.#payload = db.prepare<[bigint, string], string | null>('SELECT payload FROM spans WHERE run_id = ? AND span_id = ?').pluck().safeIntegers(true);
    this.#evaluations = db.prepare('SELECT span_id, time_ns, attributes FROM evaluation_results WHERE trace_id = ? ORDER BY time_ns, id').safeIntegers(true);
    this.#spanEvaluations = db
      .prepare('SELECT span_id, time_ns, attributes FROM evaluation_results WHERE trace_id = ? AND span_id = ? ORDER BY time_ns, id')
      .safeIntegers(true);
    this.#contents = new ContentReader(db);
    this.#keys = new AttributeKeyReader(db);
  }

  /**
   * The run and its spans without inputs, outputs and attributes, plus what it was asked and
   * answered (read from the inputs and outputs of at most three spans; not their attributes,
   * whose chat histories are often the same texts again); null for an unknown trace.
   */
  getTraceSummary(traceId: string): TraceSummary | null {
    const run = this.#run.get(traceId) as RunRow | undefined;
    if (!run) return null;
    const spans = (this.#summaries.all(run.id) as SpanSummaryRow[]).map((row) => spanSummaryFromRow(traceId, row));
    addEvaluations(spans, this.#evaluations.all(traceId) as EvaluationRow[]);
    const ioSpans = runIoSpans(spans).map((s) => ({ ...s, ...spanInputOutput(this.#payload.get(run.id, s.spanId) ?? null, this.#contents) }));
    const { input: asked, output: answered } = runInputOutput(ioSpans);
    return { run: runFromRow(run), spans, asked, answered };
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

/** Evaluation results sent as log records show as events on the span they judge (as getTrace does). */
function addEvaluations(spans: Pick<Span, 'spanId' | 'events'>[], evaluations: EvaluationRow[]): void {
  if (evaluations.length === 0) return;
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  for (const evaluation of evaluations) {
    byId.get(evaluation.span_id)?.events.push({ name: GEN_AI.evaluationResult, time: nsToMs(evaluation.time_ns), attributes: JSON.parse(evaluation.attributes) });
  }
}
