// Langfuse's OTel attributes (langfuse/langfuse packages/shared/src/server/otel/attributes.ts):
// `langfuse.observation.{type,level,status_message,input,output,model.name,usage_details,cost_details,
// prompt.name,prompt.version}`, `langfuse.trace.{name,input,output,…}`, `langfuse.{release,version}`,
// and the compatibility keys `langfuse.user.id` / `langfuse.session.id`.
import type { Attributes, SpanKind } from '../types.ts';
import type { ReadContext, SpanFields } from './fields.ts';
import { asNumber, asRecord, asString, parseJsonValue } from './values.ts';

const OBSERVATION_KINDS: Record<string, SpanKind> = {
  generation: 'llm',
  agent: 'agent',
  tool: 'tool',
  chain: 'chain',
  retriever: 'retrieval',
  embedding: 'embedding',
  guardrail: 'guardrail',
  evaluator: 'other',
};

/**
 * Kind from `langfuse.observation.type`. The generic types `span` and `event` say nothing about what
 * the span does, so they leave the decision to the next convention.
 */
export function langfuseKind(attributes: Attributes): SpanKind | null {
  const type = asString(attributes['langfuse.observation.type']);
  return type === null ? null : (OBSERVATION_KINDS[type.toLowerCase()] ?? null);
}

export function readLangfuse(context: ReadContext, fields: SpanFields): void {
  const { index, span, kind } = context;
  const a = index.attributes;
  fields.model ??= asString(a['langfuse.observation.model.name']);
  readUsage(parseJsonValue(a['langfuse.observation.usage_details']), fields);
  fields.costUsd ??= costOfDetails(parseJsonValue(a['langfuse.observation.cost_details']));
  if (kind === 'tool') fields.toolName ??= span.name;
  if (asString(a['langfuse.observation.level'])?.toUpperCase() === 'ERROR') fields.error = true;
  fields.statusMessage ??= asString(a['langfuse.observation.status_message']);
  fields.agentName ??= asString(a['langfuse.trace.name']);
  fields.userId ??= asString(a['langfuse.user.id']);
  fields.sessionId ??= asString(a['langfuse.session.id']);
  fields.promptVersion ??= asString(a['langfuse.observation.prompt.version']);
  fields.appVersion ??= asString(a['langfuse.release']) ?? asString(a['langfuse.version']);
  if (fields.input === undefined) {
    const input = a['langfuse.observation.input'] ?? a['langfuse.trace.input'];
    if (input !== undefined) fields.input = parseJsonValue(input);
  }
  if (fields.output === undefined) {
    const output = a['langfuse.observation.output'] ?? a['langfuse.trace.output'];
    if (output !== undefined) fields.output = parseJsonValue(output);
  }
}

const BASE_INPUT_KEYS = ['input', 'input_tokens', 'prompt_tokens', 'promptTokens'];
const BASE_OUTPUT_KEYS = ['output', 'output_tokens', 'completion_tokens', 'completionTokens'];

/**
 * Langfuse usage details are disjoint buckets that Langfuse prices one by one: `input` excludes cache
 * reads and writes (`input_cached_tokens`, `cache_read_input_tokens`, `input_cache_creation`…) and
 * `output` excludes `output_reasoning_tokens` when that is reported. Canonical input and output are
 * totals (rule 4), so the detail buckets are added back.
 */
function readUsage(value: unknown, fields: SpanFields): void {
  const usage = asRecord(value);
  if (usage === null) return;
  let input: number | null = null;
  let output: number | null = null;
  let cacheRead: number | null = null;
  let cacheWrite: number | null = null;
  let inputDetails = 0;
  let outputDetails = 0;
  for (const key in usage) {
    const n = asNumber(usage[key]);
    if (n === null || n < 0) continue;
    if (BASE_INPUT_KEYS.includes(key)) input ??= n;
    else if (BASE_OUTPUT_KEYS.includes(key)) output ??= n;
    else if (key.includes('cache')) {
      inputDetails += n;
      if (key.includes('read') || key.includes('cached')) cacheRead = (cacheRead ?? 0) + n;
      else cacheWrite = (cacheWrite ?? 0) + n;
    } else if (key.startsWith('input_')) inputDetails += n;
    else if (key.startsWith('output_')) outputDetails += n;
  }
  if (input !== null || inputDetails > 0) fields.inputTokens ??= (input ?? 0) + inputDetails;
  if (output !== null || outputDetails > 0) fields.outputTokens ??= (output ?? 0) + outputDetails;
  fields.cachedTokens ??= cacheRead;
  fields.cacheWriteTokens ??= cacheWrite;
}

/** `cost_details`: `total` when given, else the sum of the buckets. */
function costOfDetails(value: unknown): number | null {
  const details = asRecord(value);
  if (details === null) return asNumber(value);
  const total = asNumber(details.total);
  if (total !== null) return total;
  let sum: number | null = null;
  for (const key in details) {
    const n = asNumber(details[key]);
    if (n !== null) sum = (sum ?? 0) + n;
  }
  return sum;
}
