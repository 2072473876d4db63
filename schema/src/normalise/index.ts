// normaliseSpan: one decoded OTLP span (with its resource and scope) → the canonical span, for every
// convention of conventions.md table (b). Runs on the collector's ingest path for every span, so it
// makes one pass over the attribute keys (attribute-index.ts) and then only direct lookups.
import { OTEL, RUNLENS } from '../attributes.ts';
import { costOf, type ModelPrice } from '../cost.ts';
import type { NormalisedSpan, OtlpEvent, OtlpSpan, OtlpSpanContext } from '../otlp.ts';
import type { SpanEvent, SpanKind, SpanStatus } from '../types.ts';
import { indexAttributes, type AttributeIndex } from './attribute-index.ts';
import { runFacts } from './facts.ts';
import { emptyFields, type ReadContext, type SpanFields } from './fields.ts';
import { genAiKind, genAiKindFromSpanName, readGenAi } from './genai.ts';
import { langfuseKind, readLangfuse } from './langfuse.ts';
import { asMessagesOr } from './messages.ts';
import { openInferenceKind, readOpenInference } from './openinference.ts';
import { readTraceloop, traceloopKind } from './openllmetry.ts';
import { asNumber, asString, normaliseFinishReason } from './values.ts';
import { readVercel, vercelKind } from './vercel.ts';

export interface NormaliseOptions {
  /** USD per million tokens by model name; wins over the price table. */
  prices?: Record<string, ModelPrice>;
}

export function normaliseSpan(span: OtlpSpan, context: OtlpSpanContext, options: NormaliseOptions = {}): NormalisedSpan {
  const attributes = span.attributes;
  const index = indexAttributes(attributes);
  const kind = detectKind(index, span.name);
  const fields = readFields({ index, span, kind });

  includeCacheInInputTokens(fields);
  if (kind === 'llm') {
    fields.input = asMessagesOr(fields.input, 'user');
    fields.output = asMessagesOr(fields.output, 'assistant');
  }
  const exception = exceptionEvent(span.events);
  const status: SpanStatus = span.status.code === 2 || fields.error ? 'error' : span.status.code === 1 ? 'ok' : 'unset';
  const statusMessage =
    (span.status.message || null) ?? fields.statusMessage ?? (status === 'error' && exception !== null ? asString(exception.attributes[OTEL.exceptionMessage]) : null);

  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    kind,
    startTime: nanosToMillis(span.startTimeUnixNano),
    durationMs: span.endTimeUnixNano > span.startTimeUnixNano ? Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6 : 0,
    status,
    statusMessage,
    service: asString(context.resource[OTEL.serviceName]),
    model: fields.model,
    provider: fields.provider,
    inputTokens: fields.inputTokens,
    outputTokens: fields.outputTokens,
    cachedTokens: fields.cachedTokens,
    costUsd: fields.costUsd ?? (kind === 'llm' || kind === 'embedding' ? costOf(fields, options.prices) : null),
    toolName: fields.toolName,
    input: fields.input ?? null,
    output: fields.output ?? null,
    finishReason: normaliseFinishReason(fields.finishReason),
    errorType: asString(attributes[OTEL.errorType]) ?? (exception === null ? null : asString(exception.attributes[OTEL.exceptionType])),
    attributes,
    events: span.events.map(toSpanEvent),
    startNs: span.startTimeUnixNano,
    endNs: span.endTimeUnixNano,
    otlpKind: span.kind,
    resource: context.resource,
    scope: context.scope,
    facts: runFacts(attributes, context.resource, span.events, fields),
  };
}

/**
 * Rule 1: langfuse.* > openinference.span.kind > gen_ai.operation.name > traceloop.span.kind >
 * ai.operationId or span name > heuristics (a model attribute means llm; a tool name means tool).
 */
function detectKind(index: AttributeIndex, name: string): SpanKind {
  const a = index.attributes;
  return (
    (index.langfuse ? langfuseKind(a) : null) ??
    (index.openInference ? openInferenceKind(a) : null) ??
    (index.genAi ? genAiKind(a) : null) ??
    (index.traceloop ? traceloopKind(a) : null) ??
    vercelKind(a, name) ??
    // Older GenAI instrumentations name spans `{operation} {model}` without the operation attribute.
    (index.genAi ? genAiKindFromSpanName(name) : null) ??
    heuristicKind(index)
  );
}

const MODEL_KEYS = ['gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'ai.model.id', 'langfuse.observation.model.name'];
const TOOL_KEYS = ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name'];

function heuristicKind(index: AttributeIndex): SpanKind {
  const a = index.attributes;
  for (const key of MODEL_KEYS) if (a[key] !== undefined) return 'llm';
  for (const key of TOOL_KEYS) if (a[key] !== undefined) return 'tool';
  return 'other';
}

/** The convention readers, in rule-1 precedence: each fills only what is still empty. */
function readFields(context: ReadContext): SpanFields {
  const { index, span } = context;
  const fields = emptyFields();
  // Our own attribute: the cost the Runlens SDK computed for the call.
  fields.costUsd = asNumber(index.attributes[RUNLENS.costUsd]);
  if (index.langfuse) readLangfuse(context, fields);
  if (index.openInference) readOpenInference(context, fields);
  if (index.genAi || span.events.length > 0) readGenAi(context, fields);
  if (index.traceloop || index.promptEntries !== null || index.completionEntries !== null) readTraceloop(context, fields);
  if (index.vercel) readVercel(context, fields);
  return fields;
}

/**
 * Rule 4: canonical input tokens include cache reads and writes. Some instrumentations pass on
 * Anthropic's `input_tokens`, which excludes them; when the cache counts exceed the input count that
 * is certain, and the cache is added back.
 */
function includeCacheInInputTokens(fields: SpanFields): void {
  const cache = (fields.cachedTokens ?? 0) + (fields.cacheWriteTokens ?? 0);
  if (fields.inputTokens !== null && cache > fields.inputTokens) fields.inputTokens += cache;
}

function exceptionEvent(events: OtlpEvent[]): OtlpEvent | null {
  for (const event of events) if (event.name === OTEL.exceptionEvent) return event;
  return null;
}

function toSpanEvent(event: OtlpEvent): SpanEvent {
  return { name: event.name, time: nanosToMillis(event.timeUnixNano), attributes: event.attributes };
}

/**
 * Epoch nanoseconds (beyond 2^53) → epoch milliseconds with the sub-millisecond part as a fraction.
 * Splitting in BigInt first keeps the integer milliseconds exact.
 */
export function nanosToMillis(nanos: bigint): number {
  const millis = nanos / 1_000_000n;
  return Number(millis) + Number(nanos - millis * 1_000_000n) / 1e6;
}
