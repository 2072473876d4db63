// The facts a span contributes to its run (otlp.ts RunFacts): identity and versions read by the
// convention readers, plus Runlens's own attributes and events (design.md "Attributes Runlens adds").
import { OTEL, RUNLENS, RUNLENS_EVENTS } from '../attributes.ts';
import type { OtlpEvent, RunFacts } from '../otlp.ts';
import type { Attributes, RunOutcome } from '../types.ts';
import type { SpanFields } from './fields.ts';
import { asString } from './values.ts';

const OUTCOMES = new Set<string>(['success', 'failure', 'escalated', 'budget_exceeded']);

export function runFacts(attributes: Attributes, resource: Attributes, events: OtlpEvent[], fields: SpanFields): RunFacts {
  const outcome = asString(attributes[RUNLENS.runOutcome]);
  const facts: RunFacts = {
    agentName: fields.agentName,
    userId: fields.userId ?? asString(attributes[OTEL.userId]) ?? asString(attributes[OTEL.enduserId]),
    sessionId: fields.sessionId ?? asString(attributes[OTEL.sessionId]),
    // Our own attribute is explicit about meaning "prompt version", so it wins over convention keys.
    promptVersion: asString(attributes[RUNLENS.versionPrompt]) ?? fields.promptVersion,
    policyVersion: asString(attributes[RUNLENS.versionPolicy]),
    appVersion: asString(resource[OTEL.serviceVersion]) ?? fields.appVersion,
    outcome: outcome !== null && OUTCOMES.has(outcome) ? (outcome as Exclude<RunOutcome, 'running'>) : null,
    escalation: null,
    budgetExceeded: null,
    policyViolations: 0,
  };
  for (const event of events) {
    if (!event.name.startsWith('runlens.')) continue;
    switch (event.name) {
      case RUNLENS_EVENTS.escalation:
        facts.escalation ??= asString(event.attributes.reason) ?? '';
        break;
      case RUNLENS_EVENTS.budgetExceeded:
        facts.budgetExceeded ??= describeBudget(event.attributes);
        break;
      case RUNLENS_EVENTS.policyViolation:
        facts.policyViolations++;
        break;
    }
  }
  return facts;
}

/** `maxTokens exceeded: 5230 > 5000` from `{ budget, limit, value }`, as much as the event says. */
function describeBudget(attributes: Attributes): string {
  const budget = asString(attributes.budget) ?? 'budget';
  const limit = asString(attributes.limit);
  const value = asString(attributes.value);
  if (limit !== null && value !== null) return `${budget} exceeded: ${value} > ${limit}`;
  if (limit !== null) return `${budget} exceeded: limit ${limit}`;
  return `${budget} exceeded`;
}
