// What the collector does to every span before it is normalised and stored, whoever sent it:
// stamp the sending identity, refuse spans of a service the key is not limited to, and redact
// with the same detectors as the SDK (schema/src/redact.ts), each hit becoming a
// `runlens.policy.violation` event on the span so it counts as a violation on its run.
import { AsyncLocalStorage } from 'node:async_hooks';
import { OTEL, RUNLENS, RUNLENS_EVENTS, redactAttributes, redactText } from '@runlens/schema';
import type { Attributes, NormalisedSpan, OtlpEvent, OtlpSpan, OtlpSpanContext, RedactionRules, RedactionViolation } from '@runlens/schema';
import type { Principal } from './principal.ts';

/** The principal of the request being handled, set by the auth middleware around ingestion. */
export const requestPrincipal = new AsyncLocalStorage<Principal>();

export type Normalise = (span: OtlpSpan, context: OtlpSpanContext) => NormalisedSpan;

/** A span refused because its key is limited to another service (answered as a partial success). */
export class ServiceNotAllowedError extends Error {
  override name = 'ServiceNotAllowedError';
}

/** Redacts a span's attributes, event attributes and status message; returns the violations. */
export function redactSpan(span: OtlpSpan, rules: RedactionRules): { span: OtlpSpan; violations: RedactionViolation[] } {
  const { attributes, violations } = redactAttributes(span.attributes, rules);
  let events: OtlpEvent[] | null = null;
  span.events.forEach((event, i) => {
    const redacted = redactAttributes(event.attributes, rules);
    if (redacted.attributes === event.attributes) return;
    for (const v of redacted.violations) violations.push({ ...v, field: `events[${i}].${v.field}` });
    events ??= span.events.slice();
    events[i] = { ...event, attributes: redacted.attributes };
  });
  const message = redactText(span.status.message, rules);
  for (const hit of message.hits) violations.push({ ...hit, field: 'status.message' });
  if (violations.length === 0) return { span, violations };
  const found: OtlpEvent[] = violations.map((v) => ({
    name: RUNLENS_EVENTS.policyViolation,
    timeUnixNano: span.startTimeUnixNano,
    attributes: { rule: v.rule, field: v.field, kind: v.kind, source: 'collector' },
  }));
  return {
    span: {
      ...span,
      attributes,
      events: [...(events ?? span.events), ...found],
      status: message.hits.length > 0 ? { ...span.status, message: message.text } : span.status,
    },
    violations,
  };
}

/** Wraps `normalise` with identity stamping, the service restriction and redaction (null: off). */
export function guardNormalise(normalise: Normalise, rules: RedactionRules | null): Normalise {
  return (span, context) => {
    const principal = requestPrincipal.getStore();
    if (principal?.kind === 'ingest' && principal.service !== null) {
      const service = context.resource[OTEL.serviceName];
      if (service !== principal.service) {
        throw new ServiceNotAllowedError(
          `the ingest key of identity '${principal.identity}' may only send spans of service '${principal.service}', not ${JSON.stringify(service ?? null)}`,
        );
      }
    }
    const normalised = normalise(rules === null ? span : redactSpan(span, rules).span, context);
    // Stamped after normalise: handing normalise a reshaped attribute object made it 3x slower
    // (measured: ~12 -> ~35 us per span), and normalise does not read the identity.
    if (principal?.kind === 'ingest') {
      normalised.attributes = { ...normalised.attributes, [RUNLENS.identity]: principal.identity };
    } else if (RUNLENS.identity in normalised.attributes) {
      // Only the collector says who sent a span: a client's own claim is dropped.
      const attributes: Attributes = { ...normalised.attributes };
      delete attributes[RUNLENS.identity];
      normalised.attributes = attributes;
    }
    return normalised;
  };
}
