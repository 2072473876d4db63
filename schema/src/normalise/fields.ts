// What the convention readers fill in. Readers run in precedence order (conventions.md rule 1) and
// only fill fields still empty (`??=`), so a lower-precedence convention never overrides a higher one
// and does no work for a field that is already known.
import type { OtlpSpan } from '../otlp.ts';
import type { SpanKind } from '../types.ts';
import type { AttributeIndex } from './attribute-index.ts';

export interface SpanFields {
  model: string | null;
  provider: string | null;
  /** Canonical: includes cached tokens (rule 4). */
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  /** Prompt tokens written to a cache (priced differently by some providers); part of inputTokens. */
  cacheWriteTokens: number | null;
  /** The cost the client computed, if it sent one. */
  costUsd: number | null;
  toolName: string | null;
  /** `undefined` until a reader finds a value. */
  input: unknown;
  output: unknown;
  finishReason: string | null;
  statusMessage: string | null;
  /** A convention-level error signal besides the OTLP status (Langfuse level ERROR). */
  error: boolean;
  agentName: string | null;
  userId: string | null;
  sessionId: string | null;
  promptVersion: string | null;
  appVersion: string | null;
}

export function emptyFields(): SpanFields {
  return {
    model: null,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    cacheWriteTokens: null,
    costUsd: null,
    toolName: null,
    input: undefined,
    output: undefined,
    finishReason: null,
    statusMessage: null,
    error: false,
    agentName: null,
    userId: null,
    sessionId: null,
    promptVersion: null,
    appVersion: null,
  };
}

export interface ReadContext {
  index: AttributeIndex;
  span: OtlpSpan;
  kind: SpanKind;
}
