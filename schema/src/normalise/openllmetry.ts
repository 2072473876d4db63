// OpenLLMetry / Traceloop (traceloop/openllmetry-js packages/ai-semantic-conventions):
// `traceloop.span.kind` (workflow, task, agent, tool), `traceloop.workflow.name`,
// `traceloop.entity.{name,input,output}`, association properties; its older LLM spans carry
// `llm.request.type` and flattened `gen_ai.prompt.N.*` / `gen_ai.completion.N.*` messages.
// Newer OpenLLMetry releases emit the current GenAI attributes, which genai.ts reads.
import type { Attributes, ChatMessage, MessagePart, SpanKind } from '../types.ts';
import type { ReadContext, SpanFields } from './fields.ts';
import { appendContent } from './messages.ts';
import { asRecord, asString, parseJsonValue, unflattenIndexed, type FlatEntry } from './values.ts';

const SPAN_KINDS: Record<string, SpanKind> = {
  workflow: 'chain',
  task: 'chain',
  agent: 'agent',
  tool: 'tool',
};

const REQUEST_TYPE_KINDS: Record<string, SpanKind> = {
  chat: 'llm',
  completion: 'llm',
  embedding: 'embedding',
  rerank: 'retrieval',
};

/** Kind from `traceloop.span.kind`, or `llm.request.type` on OpenLLMetry's LLM spans. */
export function traceloopKind(attributes: Attributes): SpanKind | null {
  const spanKind = asString(attributes['traceloop.span.kind']);
  if (spanKind !== null && SPAN_KINDS[spanKind] !== undefined) return SPAN_KINDS[spanKind];
  const requestType = asString(attributes['llm.request.type']);
  return requestType === null ? null : (REQUEST_TYPE_KINDS[requestType] ?? null);
}

const ASSOCIATION = 'traceloop.association.properties.';

export function readTraceloop(context: ReadContext, fields: SpanFields): void {
  const { index, kind } = context;
  const a = index.attributes;
  if (kind === 'tool') fields.toolName ??= asString(a['traceloop.entity.name']);
  // An agent span names its agent; any other span belongs to the workflow it runs in.
  fields.agentName ??= (kind === 'agent' ? asString(a['traceloop.entity.name']) : null) ?? asString(a['traceloop.workflow.name']);
  fields.userId ??= asString(a[`${ASSOCIATION}user_id`]) ?? asString(a[`${ASSOCIATION}userId`]);
  fields.sessionId ??= asString(a[`${ASSOCIATION}session_id`]) ?? asString(a[`${ASSOCIATION}sessionId`]);
  fields.promptVersion ??= asString(a['traceloop.prompt.version']);

  if (fields.input === undefined) {
    if (index.promptEntries !== null) fields.input = messagesFromFlat(index.promptEntries);
    else if (a['traceloop.entity.input'] !== undefined) fields.input = parseJsonValue(a['traceloop.entity.input']);
  }
  if (fields.output === undefined) {
    if (index.completionEntries !== null) fields.output = messagesFromFlat(index.completionEntries);
    else if (a['traceloop.entity.output'] !== undefined) fields.output = parseJsonValue(a['traceloop.entity.output']);
  }
  if (fields.finishReason === null && index.completionEntries !== null && Array.isArray(fields.output)) {
    for (const message of fields.output as ChatMessage[]) {
      if (message.finish_reason) {
        fields.finishReason = message.finish_reason;
        break;
      }
    }
  }
}

/**
 * `N.role`, `N.content` (text, or a JSON list of content blocks), `N.tool_call_id`,
 * `N.finish_reason`, `N.tool_calls.M.{id,name,arguments}`.
 */
function messagesFromFlat(entries: FlatEntry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const item of unflattenIndexed(entries)) {
    const m = asRecord(item);
    if (m === null) continue;
    const role = asString(m.role) ?? 'user';
    const parts: MessagePart[] = [];
    const content = parseJsonValue(m.content);
    appendContent(parts, Array.isArray(content) ? content : m.content, role, asString(m.tool_call_id));
    if (Array.isArray(m.tool_calls)) {
      for (const entry of m.tool_calls) {
        const call = asRecord(entry);
        if (call !== null) parts.push({ type: 'tool_call', id: asString(call.id), name: asString(call.name) ?? '', arguments: parseJsonValue(call.arguments) });
      }
    }
    const message: ChatMessage = { role, parts };
    const finishReason = asString(m.finish_reason);
    if (finishReason !== null) message.finish_reason = finishReason;
    messages.push(message);
  }
  return messages;
}
