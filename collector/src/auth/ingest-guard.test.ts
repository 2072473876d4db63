import { describe, expect, it } from 'vitest';
import { compileRedactionRules, normaliseSpan, RUNLENS, RUNLENS_EVENTS, type OtlpSpan, type OtlpSpanContext } from '@runlens/schema';
import { guardNormalise, redactSpan, requestPrincipal, ServiceNotAllowedError } from './ingest-guard.ts';

const context: OtlpSpanContext = { resource: { 'service.name': 'support' }, scope: { name: 'test', version: null } };

function toolSpan(result: string, extra: Record<string, string> = {}): OtlpSpan {
  return {
    traceId: '5b8aa5a2d2c872e8321cf37308d69df2',
    spanId: '8a3c60f7d188f8fa',
    parentSpanId: null,
    name: 'execute_tool lookup',
    kind: 1,
    startTimeUnixNano: 1767225600000000000n,
    endTimeUnixNano: 1767225601000000000n,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.result': result, ...extra },
    events: [{ name: 'exception', timeUnixNano: 1767225600500000000n, attributes: { 'exception.message': 'mail bob@example.org failed' } }],
    links: [],
    status: { code: 2, message: 'token sk-proj-abcdefghijklmnopqrstuvwxyz0123 leaked' },
  };
}

const normalise = (span: OtlpSpan, ctx: OtlpSpanContext) => normaliseSpan(span, ctx);

describe('redaction at the collector', () => {
  it('redacts attributes, event attributes and the status message, one violation event per hit', () => {
    const { span, violations } = redactSpan(toolSpan('{"email":"jane@example.com"}'), compileRedactionRules());
    expect(span.attributes['gen_ai.tool.call.result']).toBe('{"email":"[REDACTED:email]"}');
    expect(span.events[0]!.attributes['exception.message']).toBe('mail [REDACTED:email] failed');
    expect(span.status.message).toBe('token [REDACTED:secret] leaked');
    expect(violations.map((v) => `${v.rule}@${v.field}`).sort()).toEqual([
      'email@events[0].exception.message',
      'email@gen_ai.tool.call.result',
      'openai_api_key@status.message',
    ]);
    const found = span.events.filter((e) => e.name === RUNLENS_EVENTS.policyViolation);
    expect(found).toHaveLength(3);
    expect(found[0]!.attributes).toMatchObject({ source: 'collector' });
  });

  it('counts each hit as a policy violation of the span', () => {
    const guarded = guardNormalise(normalise, compileRedactionRules());
    const stored = guarded(toolSpan('call +33 1 23 45 67 89'), context);
    expect(stored.facts.policyViolations).toBe(3);
  });

  it('leaves a span with nothing sensitive as it was', () => {
    const clean = { ...toolSpan('{"temp_c":14}'), events: [], status: { code: 0 as const, message: '' } };
    expect(redactSpan(clean, compileRedactionRules()).span).toBe(clean);
  });

  it('follows the configured rules: a family turned off, a custom pattern added', () => {
    const rules = compileRedactionRules({ email: false, custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    const { span } = redactSpan(toolSpan('jane@example.com is EMP-123456'), rules);
    expect(span.attributes['gen_ai.tool.call.result']).toBe('jane@example.com is [REDACTED:employee_id]');
  });

  it('can be turned off', () => {
    const stored = guardNormalise(normalise, null)(toolSpan('jane@example.com'), context);
    expect(stored.attributes['gen_ai.tool.call.result']).toBe('jane@example.com');
  });
});

describe('the identity of a span', () => {
  it('is stamped from the ingest key that sent it', () => {
    const guarded = guardNormalise(normalise, null);
    const stored = requestPrincipal.run({ kind: 'ingest', identity: 'support-bot', service: null }, () => guarded(toolSpan('ok'), context));
    expect(stored.attributes[RUNLENS.identity]).toBe('support-bot');
  });

  it('claimed by the client is dropped when no key vouches for it', () => {
    const guarded = guardNormalise(normalise, null);
    const stored = requestPrincipal.run({ kind: 'local' }, () => guarded(toolSpan('ok', { [RUNLENS.identity]: 'admin-bot' }), context));
    expect(stored.attributes[RUNLENS.identity]).toBeUndefined();
  });

  it('of a key limited to one service refuses spans of another', () => {
    const guarded = guardNormalise(normalise, null);
    const principal = { kind: 'ingest' as const, identity: 'billing-bot', service: 'billing' };
    expect(() => requestPrincipal.run(principal, () => guarded(toolSpan('ok'), context))).toThrow(ServiceNotAllowedError);
    const billing = { ...context, resource: { 'service.name': 'billing' } };
    expect(requestPrincipal.run(principal, () => guarded(toolSpan('ok'), billing)).attributes[RUNLENS.identity]).toBe('billing-bot');
  });
});
