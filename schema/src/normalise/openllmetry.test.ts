import { describe, expect, it } from 'vitest';
import { normaliseSpan } from './index.ts';
import { otlpSpan, spanContext } from './fixtures.ts';

const association = {
  'traceloop.association.properties.user_id': 'user-5',
  'traceloop.association.properties.session_id': 'session-8',
};

describe('OpenLLMetry (Traceloop)', () => {
  it('reads a workflow root: a chain named after the workflow, with user, session and input', () => {
    const span = normaliseSpan(
      otlpSpan({
        parentSpanId: null,
        name: 'support_flow.workflow',
        attributes: {
          'traceloop.span.kind': 'workflow',
          'traceloop.workflow.name': 'support_flow',
          'traceloop.entity.name': 'support_flow',
          'traceloop.entity.path': '',
          'traceloop.entity.input': '{"args":[],"kwargs":{"question":"Where is my order?"}}',
          'traceloop.entity.output': '"Your order ships tomorrow."',
          ...association,
        },
      }),
      spanContext(),
    );
    expect(span.kind).toBe('chain');
    expect(span.facts).toMatchObject({ agentName: 'support_flow', userId: 'user-5', sessionId: 'session-8' });
    expect(span.input).toEqual({ args: [], kwargs: { question: 'Where is my order?' } });
    expect(span.output).toBe('"Your order ships tomorrow."');
  });

  it('names an agent span`s agent after its entity, and reads tasks as chains', () => {
    const agent = normaliseSpan(
      otlpSpan({ name: 'triage.agent', attributes: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'triage', 'traceloop.workflow.name': 'support_flow' } }),
      spanContext(),
    );
    const task = normaliseSpan(
      otlpSpan({ name: 'classify.task', attributes: { 'traceloop.span.kind': 'task', 'traceloop.entity.name': 'classify', 'traceloop.workflow.name': 'support_flow' } }),
      spanContext(),
    );
    expect(agent).toMatchObject({ kind: 'agent', facts: { agentName: 'triage' } });
    expect(task).toMatchObject({ kind: 'chain', facts: { agentName: 'support_flow' } });
  });

  it('reads a tool span: the entity name is the tool, entity input and output its arguments and result', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'lookup_order.tool',
        attributes: {
          'traceloop.span.kind': 'tool',
          'traceloop.entity.name': 'lookup_order',
          'traceloop.workflow.name': 'support_flow',
          'traceloop.entity.input': '{"args":[42],"kwargs":{}}',
          'traceloop.entity.output': '{"status":"shipped"}',
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'tool', toolName: 'lookup_order', input: { args: [42], kwargs: {} }, output: { status: 'shipped' } });
  });

  it('reads an older LLM span: request type, flattened prompt and completion, tool calls, usage, cache reads', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'openai.chat',
        kind: 3,
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.system': 'OpenAI',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.request.temperature': 0,
          'gen_ai.prompt.0.role': 'system',
          'gen_ai.prompt.0.content': 'You are a support agent.',
          'gen_ai.prompt.1.role': 'user',
          'gen_ai.prompt.1.content': 'Where is order 42?',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.finish_reason': 'tool_calls',
          'gen_ai.completion.0.tool_calls.0.id': 'call_7',
          'gen_ai.completion.0.tool_calls.0.name': 'lookup_order',
          'gen_ai.completion.0.tool_calls.0.arguments': '{"order_id": 42}',
          'gen_ai.usage.prompt_tokens': 1500,
          'gen_ai.usage.completion_tokens': 25,
          'gen_ai.usage.cache_read_input_tokens': 1024,
          'llm.usage.total_tokens': 1525,
          'traceloop.workflow.name': 'support_flow',
          ...association,
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-2024-08-06',
      provider: 'OpenAI',
      inputTokens: 1500,
      outputTokens: 25,
      cachedTokens: 1024,
      finishReason: 'tool_call',
    });
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] },
    ]);
    expect(span.output).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7', name: 'lookup_order', arguments: { order_id: 42 } }], finish_reason: 'tool_calls' },
    ]);
    expect(span.costUsd).toBeCloseTo((476 * 2.5 + 1024 * 1.25 + 25 * 10) / 1e6, 12);
  });

  it('reads prompt content sent as a JSON list of content blocks, and tool results', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'anthropic.chat',
        attributes: {
          'llm.request.type': 'chat',
          'gen_ai.system': 'Anthropic',
          'gen_ai.request.model': 'claude-3-5-haiku-20241022',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': '[{"type":"text","text":"Check order 42"}]',
          'gen_ai.prompt.1.role': 'tool',
          'gen_ai.prompt.1.tool_call_id': 'toolu_1',
          'gen_ai.prompt.1.content': '{"status":"shipped"}',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.content': 'It has shipped.',
          'gen_ai.completion.0.finish_reason': 'end_turn',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Check order 42' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'toolu_1', response: { status: 'shipped' } }] },
    ]);
    expect(span.finishReason).toBe('stop');
  });

  it('reads the prompt version and camelCase association properties', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'traceloop.span.kind': 'task',
          'traceloop.prompt.key': 'support-answer',
          'traceloop.prompt.version': '7',
          'traceloop.association.properties.userId': 'u-1',
          'traceloop.association.properties.sessionId': 's-1',
        },
      }),
      spanContext(),
    );
    expect(span.facts).toMatchObject({ promptVersion: '7', userId: 'u-1', sessionId: 's-1' });
  });

  it.each([
    ['completion', 'llm'],
    ['embedding', 'embedding'],
    ['rerank', 'retrieval'],
  ])('maps llm.request.type %s to %s', (requestType, kind) => {
    expect(normaliseSpan(otlpSpan({ attributes: { 'llm.request.type': requestType } }), spanContext()).kind).toBe(kind);
  });
});
