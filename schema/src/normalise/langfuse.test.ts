import { describe, expect, it } from 'vitest';
import { normaliseSpan } from './index.ts';
import { otlpSpan, spanContext } from './fixtures.ts';

// A generation as Langfuse's OTel SDK (v3 Python / v4 JS) exports it.
const generationAttributes = {
  'langfuse.observation.type': 'generation',
  'langfuse.observation.model.name': 'claude-sonnet-4-20250514',
  'langfuse.observation.model.parameters': '{"max_tokens": 1024, "temperature": 0}',
  'langfuse.observation.usage_details': '{"input": 20, "output": 150, "cache_read_input_tokens": 1000, "cache_creation_input_tokens": 200}',
  'langfuse.observation.input': '[{"role": "system", "content": "You are a support agent."}, {"role": "user", "content": "Refund order 42"}]',
  'langfuse.observation.output': '{"role": "assistant", "content": "Done, order 42 is refunded."}',
  'langfuse.observation.prompt.name': 'support-answer',
  'langfuse.observation.prompt.version': 3,
  'langfuse.observation.level': 'DEFAULT',
  'langfuse.environment': 'production',
  'langfuse.release': '2026.01.3',
};

describe('Langfuse', () => {
  it('reads a generation: model, usage with the cache added back into input, messages', () => {
    const span = normaliseSpan(otlpSpan({ name: 'support-answer', attributes: generationAttributes }), spanContext({ 'service.name': 'support' }));
    expect(span).toMatchObject({ kind: 'llm', model: 'claude-sonnet-4-20250514', inputTokens: 1220, outputTokens: 150, cachedTokens: 1000 });
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Done, order 42 is refunded.' }] }]);
    expect(span.facts).toMatchObject({ promptVersion: '3', appVersion: '2026.01.3' });
  });

  it('prices a generation with cache reads and writes at their own rates', () => {
    const span = normaliseSpan(otlpSpan({ attributes: generationAttributes }), spanContext());
    // claude-sonnet-4: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million.
    expect(span.costUsd).toBeCloseTo((20 * 3 + 1000 * 0.3 + 200 * 3.75 + 150 * 15) / 1e6, 12);
  });

  it('uses cost_details: total when sent, else the sum of its buckets', () => {
    const total = normaliseSpan(
      otlpSpan({ attributes: { ...generationAttributes, 'langfuse.observation.cost_details': '{"input": 0.001, "output": 0.002, "total": 0.0031}' } }),
      spanContext(),
    );
    const summed = normaliseSpan(otlpSpan({ attributes: { ...generationAttributes, 'langfuse.observation.cost_details': { input: 0.001, output: 0.002 } } }), spanContext());
    expect(total.costUsd).toBe(0.0031);
    expect(summed.costUsd).toBeCloseTo(0.003, 12);
  });

  it('reads structured usage details and OpenAI-style cached and reasoning buckets', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'langfuse.observation.type': 'generation',
          'langfuse.observation.model.name': 'o3-mini',
          'langfuse.observation.usage_details': { input: 300, input_cached_tokens: 700, output: 50, output_reasoning_tokens: 400, total: 1450 },
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ inputTokens: 1000, cachedTokens: 700, outputTokens: 450 });
  });

  it('marks a span with level ERROR as failed, with its status message', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'langfuse.observation.type': 'tool', 'langfuse.observation.level': 'ERROR', 'langfuse.observation.status_message': 'refund API returned 500' } }),
      spanContext(),
    );
    expect(span).toMatchObject({ status: 'error', statusMessage: 'refund API returned 500' });
  });

  it('names a tool observation after its span, with its input and output as sent', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'lookup_order',
        attributes: { 'langfuse.observation.type': 'tool', 'langfuse.observation.input': '{"order_id": 42}', 'langfuse.observation.output': 'shipped' },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'tool', toolName: 'lookup_order', input: { order_id: 42 }, output: 'shipped' });
  });

  it('reads the trace attributes on the root: trace name as agent, user, session, release', () => {
    const span = normaliseSpan(
      otlpSpan({
        parentSpanId: null,
        name: 'handle-ticket',
        attributes: {
          'langfuse.trace.name': 'support-agent',
          'langfuse.trace.tags': ['refund'],
          'langfuse.trace.input': '{"ticket": 881}',
          'user.id': 'user-2',
          'session.id': 'session-2',
          'langfuse.version': '1.4.0',
        },
      }),
      spanContext(),
    );
    expect(span.kind).toBe('other');
    expect(span.input).toEqual({ ticket: 881 });
    expect(span.facts).toMatchObject({ agentName: 'support-agent', userId: 'user-2', sessionId: 'session-2', appVersion: '1.4.0' });
  });

  it('reads the compatibility keys langfuse.user.id and langfuse.session.id', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'langfuse.user.id': 'u-9', 'langfuse.session.id': 's-9' } }), spanContext());
    expect(span.facts).toMatchObject({ userId: 'u-9', sessionId: 's-9' });
  });

  it.each([
    ['agent', 'agent'],
    ['chain', 'chain'],
    ['retriever', 'retrieval'],
    ['embedding', 'embedding'],
    ['guardrail', 'guardrail'],
    ['evaluator', 'other'],
  ])('maps observation type %s to %s', (type, kind) => {
    expect(normaliseSpan(otlpSpan({ attributes: { 'langfuse.observation.type': type } }), spanContext()).kind).toBe(kind);
  });

  it('wins over every other convention on the same span', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'langfuse.observation.type': 'tool',
          'openinference.span.kind': 'LLM',
          'gen_ai.operation.name': 'chat',
          'langfuse.observation.input': '{"from": "langfuse"}',
          'input.value': '{"from": "openinference"}',
        },
      }),
      spanContext(),
    );
    expect(span.kind).toBe('tool');
    expect(span.input).toEqual({ from: 'langfuse' });
  });

  it('lets the next convention decide the kind of a generic span observation', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'langfuse.observation.type': 'span', 'gen_ai.operation.name': 'execute_tool' } }), spanContext());
    expect(span.kind).toBe('tool');
  });
});
