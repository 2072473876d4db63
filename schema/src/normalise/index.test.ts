import { describe, expect, it } from 'vitest';
import { nanosToMillis, normaliseSpan } from './index.ts';
import { otlpEvent, otlpSpan, spanContext, T0 } from './fixtures.ts';

describe('normaliseSpan: identity, times and status', () => {
  it('keeps the OTLP identity, times as BigInt and epoch milliseconds, resource and scope', () => {
    const otlp = otlpSpan({ name: 'work', kind: 2, startTimeUnixNano: T0 + 123_456n, endTimeUnixNano: T0 + 2_000_123_456n, attributes: {} });
    const context = spanContext({ 'service.name': 'billing', 'service.version': '1.2.3' });
    const span = normaliseSpan(otlp, context);
    expect(span).toMatchObject({
      traceId: otlp.traceId,
      spanId: otlp.spanId,
      parentSpanId: otlp.parentSpanId,
      name: 'work',
      otlpKind: 2,
      startNs: T0 + 123_456n,
      endNs: T0 + 2_000_123_456n,
      service: 'billing',
      resource: context.resource,
      scope: context.scope,
    });
    expect(span.startTime).toBe(1767225600000.123456);
    expect(span.durationMs).toBe(2000);
  });

  it('converts nanoseconds beyond 2^53 to milliseconds without losing the integer part', () => {
    // 2^53 + 1 ms would be rounded if the nanoseconds went through a JS number.
    expect(nanosToMillis(9_007_199_254_740_993_000_000n)).toBe(9_007_199_254_740_993);
    expect(nanosToMillis(1_767_225_600_000_000_001n)).toBe(1_767_225_600_000.000001);
  });

  it('gives a span that ends before it starts a duration of 0', () => {
    expect(normaliseSpan(otlpSpan({ endTimeUnixNano: T0 - 5n, attributes: {} }), spanContext()).durationMs).toBe(0);
  });

  it.each([
    [0, 'unset'],
    [1, 'ok'],
    [2, 'error'],
  ] as const)('maps OTLP status code %i to %s', (code, status) => {
    expect(normaliseSpan(otlpSpan({ status: { code, message: '' }, attributes: {} }), spanContext()).status).toBe(status);
  });

  it('keeps every original attribute and converts event times', () => {
    const attributes = { 'gen_ai.operation.name': 'chat', 'custom.flag': true, 'http.status_code': 200 };
    const span = normaliseSpan(otlpSpan({ attributes, events: [otlpEvent('custom', { a: 1 }, 2_500_000n)] }), spanContext());
    expect(span.attributes).toEqual(attributes);
    expect(span.events).toEqual([{ name: 'custom', time: 1767225600002.5, attributes: { a: 1 } }]);
  });
});

describe('normaliseSpan: kind precedence and heuristics (rule 1)', () => {
  it.each([
    [{ 'openinference.span.kind': 'TOOL', 'gen_ai.operation.name': 'chat' }, 'ai.generateText', 'tool'],
    [{ 'gen_ai.operation.name': 'execute_tool', 'traceloop.span.kind': 'agent' }, 'x', 'tool'],
    [{ 'traceloop.span.kind': 'agent', 'ai.operationId': 'ai.toolCall' }, 'x', 'agent'],
    [{ 'ai.operationId': 'ai.generateText.doGenerate', 'gen_ai.request.model': 'gpt-4o' }, 'ai.generateText.doGenerate', 'llm'],
    [{ 'gen_ai.request.model': 'gpt-4o' }, 'my call', 'llm'],
    [{ 'llm.model_name': 'gpt-4o' }, 'my call', 'llm'],
    [{ 'tool.name': 'search' }, 'my tool', 'tool'],
    [{ 'http.method': 'GET' }, 'GET /orders', 'other'],
    [{ 'openinference.span.kind': 'UNKNOWN', 'gen_ai.operation.name': 'retrieval' }, 'x', 'retrieval'],
  ])('attributes %o on span %s make kind %s', (attributes, name, kind) => {
    expect(normaliseSpan(otlpSpan({ name, attributes }), spanContext()).kind).toBe(kind);
  });

  it('does not guess a kind from a span name alone when the span carries no GenAI attribute', () => {
    expect(normaliseSpan(otlpSpan({ name: 'plan trip', attributes: {} }), spanContext()).kind).toBe('other');
  });
});

describe('normaliseSpan: llm input and output are chat messages', () => {
  it('wraps plain text sent to or by a model as one message', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'openinference.span.kind': 'LLM', 'input.value': 'Say hi', 'output.value': 'Hi!' } }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Say hi' }] }]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hi!' }] }]);
  });

  it('keeps a value it cannot read as messages unchanged rather than losing it', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'openinference.span.kind': 'LLM', 'input.value': '{"query": 1}' } }), spanContext());
    expect(span.input).toEqual({ query: 1 });
  });

  it('leaves input and output null when nothing was sent', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'gen_ai.operation.name': 'chat' } }), spanContext());
    expect(span.input).toBeNull();
    expect(span.output).toBeNull();
  });
});

describe('normaliseSpan: finish reasons (rule 5)', () => {
  it.each([
    ['tool_calls', 'tool_call'],
    ['tool-calls', 'tool_call'],
    ['content-filter', 'content_filter'],
    ['tool_use', 'tool_call'],
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['STOP', 'stop'],
    ['SAFETY', 'content_filter'],
    ['error', 'error'],
  ])('normalises %s to %s', (raw, normalised) => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.finish_reasons': [raw] } }), spanContext());
    expect(span.finishReason).toBe(normalised);
  });

  it('reads finish reasons sent as a JSON string array', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.finish_reasons': '["length"]' } }), spanContext());
    expect(span.finishReason).toBe('length');
  });
});

describe('normaliseSpan: cost', () => {
  const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 };

  it('uses the client`s runlens.cost.usd over the price table', () => {
    expect(normaliseSpan(otlpSpan({ attributes: { ...chat, 'runlens.cost.usd': 0.5 } }), spanContext()).costUsd).toBe(0.5);
  });

  it('uses a configured price for the model over the price table', () => {
    const span = normaliseSpan(otlpSpan({ attributes: chat }), spanContext(), { prices: { 'gpt-4o': { input: 1, output: 2 } } });
    expect(span.costUsd).toBeCloseTo((1000 * 1 + 100 * 2) / 1e6, 12);
  });

  it('leaves the cost of an unknown model null', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { ...chat, 'gen_ai.request.model': 'acme-llm-7' } }), spanContext());
    expect(span.costUsd).toBeNull();
  });

  it('prices only llm and embedding spans from the table', () => {
    const tool = normaliseSpan(otlpSpan({ attributes: { ...chat, 'gen_ai.operation.name': 'execute_tool' } }), spanContext());
    expect(tool.costUsd).toBeNull();
  });
});

describe('normaliseSpan: run facts', () => {
  it('reads outcome, versions, user and session from Runlens and OTel attributes', () => {
    const span = normaliseSpan(
      otlpSpan({
        parentSpanId: null,
        attributes: {
          'runlens.run.outcome': 'escalated',
          'runlens.version.prompt': 'p-v2',
          'runlens.version.policy': 'pol-4',
          'enduser.id': 'user-1',
          'session.id': 'session-1',
        },
      }),
      spanContext({ 'service.name': 'support', 'service.version': '3.1.0' }),
    );
    expect(span.facts).toEqual({
      agentName: null,
      userId: 'user-1',
      sessionId: 'session-1',
      promptVersion: 'p-v2',
      policyVersion: 'pol-4',
      appVersion: '3.1.0',
      outcome: 'escalated',
      escalation: null,
      budgetExceeded: null,
      policyViolations: 0,
    });
  });

  it('ignores an outcome that is not one of the four', () => {
    expect(normaliseSpan(otlpSpan({ attributes: { 'runlens.run.outcome': 'running' } }), spanContext()).facts.outcome).toBeNull();
  });

  it('reads escalation, budget and policy violation events', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {},
        events: [
          otlpEvent('runlens.policy.violation', { rule: 'email', field: 'input' }),
          otlpEvent('runlens.escalation', { reason: 'customer asked for a human' }),
          otlpEvent('runlens.policy.violation', { rule: 'card_number', field: 'output' }),
          otlpEvent('runlens.budget.exceeded', { budget: 'maxTokens', limit: 5000, value: 5230 }),
        ],
      }),
      spanContext(),
    );
    expect(span.facts).toMatchObject({ escalation: 'customer asked for a human', budgetExceeded: 'maxTokens exceeded: 5230 > 5000', policyViolations: 2 });
  });

  it('records an escalation without a reason as an empty reason', () => {
    const span = normaliseSpan(otlpSpan({ attributes: {}, events: [otlpEvent('runlens.escalation')] }), spanContext());
    expect(span.facts.escalation).toBe('');
  });

  it('prefers runlens.version.prompt over a convention`s prompt version', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'runlens.version.prompt': 'ours', 'llm.prompt_template.version': 'theirs' } }), spanContext());
    expect(span.facts.promptVersion).toBe('ours');
  });
});
