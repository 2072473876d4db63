// A check result as the attributes of a `gen_ai.evaluation.result` event (OpenTelemetry GenAI
// convention, plus Runlens's check type and severity), and back again for results that arrive
// from other tools as span events or log records.

import { GEN_AI, RUNLENS } from '@runlens/schema';
import type { Attributes } from '@runlens/schema';
import { CHECK_TYPES, SEVERITIES } from './types.ts';
import type { CheckLabel, CheckResult, CheckType, Severity } from './types.ts';

/** The event's name: `gen_ai.evaluation.result`. */
export const EVALUATION_EVENT_NAME = GEN_AI.evaluationResult;

export function toEvaluationEventAttributes(result: CheckResult): Attributes {
  return {
    [GEN_AI.evaluationName]: result.name,
    [GEN_AI.evaluationScoreValue]: result.score,
    [GEN_AI.evaluationScoreLabel]: result.label,
    [GEN_AI.evaluationExplanation]: result.explanation,
    [RUNLENS.evalCheckType]: result.type,
    [RUNLENS.evalCheckSeverity]: result.severity,
  };
}

/** What another tool's evaluation event says; fields it left out are null. */
export interface EvaluationEvent {
  name: string;
  score: number | null;
  label: string | null;
  explanation: string | null;
  /** Runlens check type, when the producer was Runlens. */
  type: CheckType | null;
  severity: Severity | null;
}

/** Null when the attributes carry no evaluation name (not an evaluation result). */
export function fromEvaluationEventAttributes(attributes: Attributes): EvaluationEvent | null {
  const name = attributes[GEN_AI.evaluationName];
  if (typeof name !== 'string' || name === '') return null;
  const score = attributes[GEN_AI.evaluationScoreValue];
  const label = attributes[GEN_AI.evaluationScoreLabel];
  const explanation = attributes[GEN_AI.evaluationExplanation];
  const type = attributes[RUNLENS.evalCheckType];
  const severity = attributes[RUNLENS.evalCheckSeverity];
  return {
    name,
    score: typeof score === 'number' && Number.isFinite(score) ? score : null,
    label: typeof label === 'string' ? label : null,
    explanation: typeof explanation === 'string' ? explanation : null,
    type: typeof type === 'string' && (CHECK_TYPES as readonly string[]).includes(type) ? (type as CheckType) : null,
    severity: typeof severity === 'string' && (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : null,
  };
}

/** Pass / fail / error labels Runlens writes; other producers may use their own. */
export const CHECK_LABELS: readonly CheckLabel[] = ['pass', 'fail', 'error'];
