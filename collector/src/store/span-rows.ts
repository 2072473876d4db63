// Canonical spans ↔ rows of the `spans` table. Inputs, outputs and long attribute values go to
// `contents` (stored once by hash); short attributes are stored with numbered keys.
import type { Attributes, NormalisedSpan, RunFacts, RunSpanInput, Span, SpanEvent, SpanSummary } from '@runlens/schema';
import { nsToMs } from '@runlens/schema';
import type { AttributeKeyReader, AttributeKeyWriter } from './attribute-keys.ts';
import { contentIds, type ContentReader, type ContentRef, type ContentWriter } from './contents.ts';

/** String attributes at least this long are stored as contents (prompts, messages, results). */
export const LONG_ATTRIBUTE_CHARS = 256;

/**
 * Attributes that carry prompts, messages, tool arguments or results in any convention of
 * conventions.md: stored as contents whatever their length, so content retention drops them
 * with the inputs and outputs.
 */
const CONTENT_ATTRIBUTE =
  /^(gen_ai\.(input\.messages|output\.messages|system_instructions|tool\.call\.arguments|tool\.call\.result|prompt|completion|choice)|gen_ai\.(prompt|completion)\.\d+\..+|llm\.(input_messages|output_messages)\..+|llm\.prompts(\..+)?|(input|output)\.value|ai\.(prompt|prompt\.messages|response\.text|response\.toolCalls|response\.object|response\.reasoning|toolCall\.args|toolCall\.result)|traceloop\.entity\.(input|output)|langfuse\.(observation|trace)\.(input|output))$/;

export function isContentAttribute(key: string): boolean {
  return CONTENT_ATTRIBUTE.test(key);
}

/** The `spans.payload` column: where a span's large texts are. Retention drops it whole. */
export interface PayloadRefs {
  /** The input; `inText` when it was a plain string (stored as is, not as JSON). */
  in?: ContentRef;
  inText?: 1;
  out?: ContentRef;
  outText?: 1;
  /** Long string attribute values, and those of content attributes, by attribute key id. */
  attrs?: Record<string, ContentRef>;
  /** Content attributes with structured values (kvlist or array), stored as JSON, by key id. */
  attrValues?: Record<string, ContentRef>;
}

/** Every content id a payload column refers to. */
export function payloadContentIds(column: string | null): number[] {
  if (column === null) return [];
  const refs = JSON.parse(column) as PayloadRefs;
  const ids: number[] = [];
  if (refs.in !== undefined) ids.push(...contentIds(refs.in));
  if (refs.out !== undefined) ids.push(...contentIds(refs.out));
  for (const ref of Object.values(refs.attrs ?? {})) ids.push(...contentIds(ref));
  for (const ref of Object.values(refs.attrValues ?? {})) ids.push(...contentIds(ref));
  return ids;
}

/** The stored form of a span, in the column order of INSERT_SPAN_SQL. */
export type SpanRowValues = [
  runId: number,
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: string,
  otlpKind: number,
  startNs: bigint,
  endNs: bigint,
  status: string,
  statusMessage: string | null,
  errorType: string | null,
  service: string | null,
  model: string | null,
  provider: string | null,
  inputTokens: number | null,
  outputTokens: number | null,
  cachedTokens: number | null,
  costUsd: number | null,
  toolName: string | null,
  finishReason: string | null,
  facts: string | null,
  payload: string | null,
  attributes: string,
  events: string | null,
  resourceCid: number | null,
  scopeName: string | null,
  scopeVersion: string | null,
];

export const INSERT_SPAN_SQL = `INSERT OR REPLACE INTO spans (run_id, span_id, parent_span_id, name, kind, otlp_kind, start_ns, end_ns,
  status, status_message, error_type, service, model, provider, input_tokens, output_tokens, cached_tokens, cost_usd,
  tool_name, finish_reason, facts, payload, attributes, events, resource_cid, scope_name, scope_version)
  VALUES (${Array(27).fill('?').join(', ')})`;

/** An input or output as the writer stores it: a plain text, the JSON of a value, or nothing. */
export type PayloadText = { text: string; json: boolean } | null;

/**
 * A span as it crosses to the writer thread: only what the writer stores, with every column that
 * needs no writer state (input and output, events, facts) already serialised on the main thread,
 * where the values are. postMessage then copies strings instead of cloning objects key by key,
 * and the writer binds them as they are. Measured per span, v8 serialize + deserialize of events
 * objects ~3 µs and of facts ~2 µs, against ~1 µs to stringify them (facts: nothing for most).
 * `resource` is shared by the spans of a request, so postMessage copies it once per batch.
 */
export type WriterSpan = Omit<RunSpanInput, 'facts'> &
  Pick<NormalisedSpan, 'traceId' | 'otlpKind' | 'provider' | 'finishReason' | 'attributes' | 'resource'> &
  WriterColumns;

/** The columns of a writer span that are serialised on the main thread, or renamed. */
interface WriterColumns {
  /** The `facts` column (factsColumn). */
  facts: string | null;
  /** The `events` column: their JSON, null when there are none. */
  events: string | null;
  scopeName: string | null;
  scopeVersion: string | null;
  input: PayloadText;
  output: PayloadText;
}

export function toWriterSpan(span: NormalisedSpan): WriterSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    otlpKind: span.otlpKind,
    startNs: span.startNs,
    endNs: span.endNs,
    status: span.status,
    statusMessage: span.statusMessage,
    errorType: span.errorType,
    service: span.service,
    model: span.model,
    provider: span.provider,
    inputTokens: span.inputTokens,
    outputTokens: span.outputTokens,
    cachedTokens: span.cachedTokens,
    costUsd: span.costUsd,
    toolName: span.toolName,
    finishReason: span.finishReason,
    facts: factsColumn(span.facts),
    events: span.events.length === 0 ? null : JSON.stringify(span.events),
    attributes: span.attributes,
    resource: span.resource,
    scopeName: span.scope.name || null,
    scopeVersion: span.scope.version,
    input: payloadText(span.input),
    output: payloadText(span.output),
  };
}

/**
 * What deriveRun reads of a span in its writer form: the span itself (its other fields go unread),
 * with its facts column parsed back.
 */
export function writerRunSpanInput(span: WriterSpan): RunSpanInput {
  return { ...span, facts: parseFacts(span.facts) };
}

function payloadText(value: unknown): PayloadText {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return { text: value, json: false };
  const json = JSON.stringify(value);
  return json === undefined ? null : { text: json, json: true };
}

/**
 * A span's resource as JSON (null when empty), remembering the last one: the spans of a request
 * share their resource object, and postMessage keeps it shared, so a batch stringifies (and the
 * content cache hashes) each resource once instead of once per span.
 */
export function resourceJsonMemo(): (resource: Attributes) => string | null {
  let last: Attributes | null = null;
  let json: string | null = null;
  return (resource) => {
    if (resource !== last) {
      last = resource;
      json = Object.keys(resource).length === 0 ? null : JSON.stringify(resource);
    }
    return json;
  };
}

/** Builds a span's row, storing its large texts (and its resource's JSON) in `contents` on the way. */
export function spanRow(
  span: WriterSpan,
  resourceJson: string | null,
  runId: number,
  contents: ContentWriter,
  keys: AttributeKeyWriter,
): SpanRowValues {
  const refs: PayloadRefs = {};
  // Inputs and outputs first: a message stored here as searchable is then found, already
  // indexed, when the attribute it came from repeats it.
  const inText = storePayload(span.input, runId, contents, refs, 'in');
  const outText = storePayload(span.output, runId, contents, refs, 'out');
  const shortAttributes: Record<number, unknown> = {};
  for (const key in span.attributes) {
    const value = span.attributes[key];
    if (typeof value === 'string' && (value.length >= LONG_ATTRIBUTE_CHARS || isContentAttribute(key))) {
      const id = keys.idOf(key);
      // Chat spans carry their messages twice, as input/output and as the attribute they were
      // read from, usually in the same JSON: the same text has the same contents (measured:
      // half of the writer's content lookups and array splits on the bench workload).
      (refs.attrs ??= {})[id] =
        value === inText ? refs.in! : value === outText ? refs.out! : contents.putText(value, runId, false, `a${id}`);
    } else if (value !== null && typeof value === 'object' && isContentAttribute(key)) {
      const id = keys.idOf(key);
      (refs.attrValues ??= {})[id] = contents.putValue(value, runId, false, `v${id}`);
    } else {
      shortAttributes[keys.idOf(key)] = value;
    }
  }
  return [
    runId,
    span.spanId,
    span.parentSpanId,
    span.name,
    span.kind,
    span.otlpKind,
    span.startNs,
    span.endNs,
    span.status,
    span.statusMessage,
    span.errorType,
    span.service,
    span.model,
    span.provider,
    integerOrNull(span.inputTokens),
    integerOrNull(span.outputTokens),
    integerOrNull(span.cachedTokens),
    span.costUsd,
    span.toolName,
    span.finishReason,
    span.facts,
    Object.keys(refs).length === 0 ? null : JSON.stringify(refs),
    JSON.stringify(shortAttributes),
    span.events,
    resourceJson === null ? null : contents.putShared(resourceJson, runId),
    span.scopeName,
    span.scopeVersion,
  ];
}

/**
 * Stores an input or output; returns its text when it was stored as `putText` stores any text
 * (so an attribute with the same text can share its ref), else null.
 */
function storePayload(payload: PayloadText, runId: number, contents: ContentWriter, refs: PayloadRefs, which: 'in' | 'out'): string | null {
  if (payload === null) return null;
  if (!payload.json) {
    // A plain string is stored as it is, so it shares its content with the attribute it came from.
    refs[which] = contents.putText(payload.text, runId, true, which);
    refs[which === 'in' ? 'inText' : 'outText'] = 1;
    return payload.text;
  }
  // JSON of a value: an array is stored element by element (an empty one as no element).
  if (payload.text === '[]') {
    refs[which] = [];
    return null;
  }
  refs[which] = contents.putText(payload.text, runId, true, which);
  return payload.text;
}

function integerOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value);
}

const EMPTY_FACTS: RunFacts = {
  agentName: null,
  userId: null,
  sessionId: null,
  promptVersion: null,
  policyVersion: null,
  appVersion: null,
  outcome: null,
  escalation: null,
  budgetExceeded: null,
  policyViolations: 0,
};

/** Most spans say nothing about their run: their facts column stays null. */
function factsColumn(facts: RunFacts): string | null {
  // A plain loop: this runs for every span, and most say nothing (no arrays, no allocation).
  let said: Partial<Record<keyof RunFacts, unknown>> | null = null;
  for (const key in facts) {
    const value = facts[key as keyof RunFacts];
    if (value !== EMPTY_FACTS[key as keyof RunFacts]) (said ??= {})[key as keyof RunFacts] = value;
  }
  return said === null ? null : JSON.stringify(said);
}

export function parseFacts(column: string | null): RunFacts {
  return column === null ? EMPTY_FACTS : { ...EMPTY_FACTS, ...(JSON.parse(column) as Partial<RunFacts>) };
}

/** The columns deriveRun needs, read with safeIntegers (times are nanoseconds beyond 2^53). */
export const RUN_INPUT_COLUMNS = `span_id, parent_span_id, name, kind, start_ns, end_ns, status, status_message, error_type,
  service, model, input_tokens, output_tokens, cached_tokens, cost_usd, tool_name, facts`;

export interface RunInputRow {
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
  input_tokens: bigint | null;
  output_tokens: bigint | null;
  cached_tokens: bigint | null;
  cost_usd: number | null;
  tool_name: string | null;
  facts: string | null;
}

export function runSpanInput(row: RunInputRow): RunSpanInput {
  return {
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind as RunSpanInput['kind'],
    startNs: row.start_ns,
    endNs: row.end_ns,
    status: row.status as RunSpanInput['status'],
    statusMessage: row.status_message,
    errorType: row.error_type,
    service: row.service,
    model: row.model,
    inputTokens: numberOrNull(row.input_tokens),
    outputTokens: numberOrNull(row.output_tokens),
    cachedTokens: numberOrNull(row.cached_tokens),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    toolName: row.tool_name,
    facts: parseFacts(row.facts),
  };
}

function numberOrNull(value: bigint | number | null): number | null {
  return value === null ? null : Number(value);
}

/** A span without its contents (inputs, outputs, attributes): `GET /api/runs/:traceId?contents=false`. */

/** The columns of a span row without its contents (events are inline and small). */
export interface SpanSummaryRow extends RunInputRow {
  provider: string | null;
  finish_reason: string | null;
  events: string | null;
}

export const SPAN_SUMMARY_COLUMNS = `${RUN_INPUT_COLUMNS}, provider, finish_reason, events`;

/** A full stored span row, as the query side reads it (with safeIntegers). */
export interface SpanRow extends SpanSummaryRow {
  otlp_kind: bigint;
  payload: string | null;
  attributes: string;
}

export const SPAN_COLUMNS = `${SPAN_SUMMARY_COLUMNS}, otlp_kind, payload, attributes`;

/** Rebuilds a span's columns from its row, without reading any content back. */
export function spanSummaryFromRow(traceId: string, row: SpanSummaryRow): SpanSummary {
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

/** Rebuilds the API's Span from its row, reading its texts back from `contents`. */
export function spanFromRow(traceId: string, row: SpanRow, contents: ContentReader, keys: AttributeKeyReader): Span {
  const attributes: Attributes = {};
  for (const [id, value] of Object.entries(JSON.parse(row.attributes) as Attributes)) attributes[keys.keyOf(Number(id))] = value;
  const refs = row.payload === null ? {} : (JSON.parse(row.payload) as PayloadRefs);
  for (const [id, ref] of Object.entries(refs.attrs ?? {})) {
    const text = contents.textOf(ref);
    if (text !== null) attributes[keys.keyOf(Number(id))] = text;
  }
  for (const [id, ref] of Object.entries(refs.attrValues ?? {})) {
    const text = contents.textOf(ref);
    if (text !== null) attributes[keys.keyOf(Number(id))] = JSON.parse(text) as Attributes[string];
  }
  return { ...spanSummaryFromRow(traceId, row), ...inputOutputOf(refs, contents), attributes };
}

/** A span's input and output from its `payload` column, without reading its attributes' contents. */
export function spanInputOutput(payload: string | null, contents: ContentReader): Pick<Span, 'input' | 'output'> {
  return inputOutputOf(payload === null ? {} : (JSON.parse(payload) as PayloadRefs), contents);
}

function inputOutputOf(refs: PayloadRefs, contents: ContentReader): Pick<Span, 'input' | 'output'> {
  return { input: readPayload(refs.in, refs.inText === 1, contents), output: readPayload(refs.out, refs.outText === 1, contents) };
}

function readPayload(ref: ContentRef | undefined, isText: boolean, contents: ContentReader): unknown {
  if (ref === undefined) return null;
  const text = contents.textOf(ref);
  if (text === null) return null;
  return isText ? text : JSON.parse(text);
}
