// Everything the SDK writes that could carry user data goes through here: redacted before it
// is set on a span (so it is redacted before export, whatever exporter runs), each hit recorded
// as a `runlens.policy.violation` event, and nothing at all when content capture is off.
import type { Span } from '@opentelemetry/api';
import { RUNLENS_EVENTS, redactText, type RedactionRules } from '@runlens/schema';

/** Longest content value sent; longer values are cut (a span is not a blob store). */
export const MAX_CONTENT_CHARS = 100_000;

export interface ContentPolicy {
  capture: boolean;
  rules: RedactionRules;
}

/** JSON for objects, the string itself for strings; never throws (cycles, BigInt). */
export function toContentString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      if (item instanceof Error) return { name: item.name, message: item.message };
      if (typeof item === 'object' && item !== null) {
        if (seen.has(item)) return '[circular]';
        seen.add(item);
      }
      return item;
    });
    return json ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string): string {
  if (text.length <= MAX_CONTENT_CHARS) return text;
  return `${text.slice(0, MAX_CONTENT_CHARS)}…[truncated ${text.length - MAX_CONTENT_CHARS} chars]`;
}

/** Redacts `text` and records one violation event per hit on `span`, naming `field`. */
export function redactForSpan(span: Span, field: string, text: string, rules: RedactionRules): string {
  if (rules.rules.length === 0) return text;
  const { text: redacted, hits } = redactText(text, rules);
  for (const hit of hits) {
    span.addEvent(RUNLENS_EVENTS.policyViolation, { rule: hit.rule, field, kind: hit.kind });
  }
  return redacted;
}

/** Sets a content attribute (prompt, output, arguments, result) if capture is on, redacted. */
export function setContent(span: Span, key: string, value: unknown, policy: ContentPolicy): void {
  if (!policy.capture || value === undefined) return;
  span.setAttribute(key, redactForSpan(span, key, truncate(toContentString(value)), policy.rules));
}
