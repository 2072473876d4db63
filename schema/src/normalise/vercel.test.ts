import { describe, expect, it } from 'vitest';
import { normaliseSpan } from './index.ts';
import { otlpSpan, spanContext } from './fixtures.ts';

const telemetry = {
  'ai.telemetry.functionId': 'support-agent',
  'ai.telemetry.metadata.userId': 'user-17',
  'ai.telemetry.metadata.sessionId': 'chat-5',
  'ai.telemetry.metadata.promptVersion': 'v3',
  'resource.name': 'support-agent',
  'ai.model.id': 'gpt-4o-mini',
  'ai.model.provider': 'openai.chat',
  'ai.settings.maxRetries': 2,
};

// An `ai.generateText.doGenerate` span as AI SDK 4/5 records it: the second step of a tool loop.
const doGenerate = otlpSpan({
  name: 'ai.generateText.doGenerate',
  kind: 3,
  attributes: {
    ...telemetry,
    'operation.name': 'ai.generateText.doGenerate support-agent',
    'ai.operationId': 'ai.generateText.doGenerate',
    'ai.prompt.messages': JSON.stringify([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: [{ type: 'text', text: 'Refund order 42' }] },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookupOrder', input: { orderId: 42 } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'lookupOrder', output: { type: 'json', value: { total: 30 } } }] },
    ]),
    'ai.prompt.tools': ['{"type":"function","name":"refund","inputSchema":{"type":"object"}}'],
    'ai.prompt.toolChoice': '{"type":"auto"}',
    'ai.response.text': 'Refunding now.',
    'ai.response.toolCalls': '[{"toolCallType":"function","toolCallId":"call_2","toolName":"refund","args":"{\\"orderId\\":42}"}]',
    'ai.response.finishReason': 'tool-calls',
    'ai.response.id': 'chatcmpl-9',
    'ai.response.model': 'gpt-4o-mini-2024-07-18',
    'ai.response.timestamp': '2026-01-01T00:00:01.000Z',
    'ai.usage.promptTokens': 950,
    'ai.usage.completionTokens': 40,
    'gen_ai.system': 'openai.chat',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.finish_reasons': ['tool-calls'],
    'gen_ai.usage.input_tokens': 950,
    'gen_ai.usage.output_tokens': 40,
  },
});

describe('Vercel AI SDK (ai.* telemetry)', () => {
  it('reads a doGenerate span as an llm call: model, provider without its API suffix, usage', () => {
    const span = normaliseSpan(doGenerate, spanContext());
    expect(span).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      inputTokens: 950,
      outputTokens: 40,
      finishReason: 'tool_call',
    });
    expect(span.costUsd).toBeCloseTo((950 * 0.15 + 40 * 0.6) / 1e6, 12);
  });

  it('converts ai.prompt.messages and the response into chat messages', () => {
    const span = normaliseSpan(doGenerate, spanContext());
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookupOrder', arguments: { orderId: 42 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { total: 30 } }] },
    ]);
    expect(span.output).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Refunding now.' },
          { type: 'tool_call', id: 'call_2', name: 'refund', arguments: { orderId: 42 } },
        ],
        finish_reason: 'tool-calls',
      },
    ]);
  });

  it('reads the run facts from telemetry metadata', () => {
    expect(normaliseSpan(doGenerate, spanContext()).facts).toMatchObject({
      agentName: 'support-agent',
      userId: 'user-17',
      sessionId: 'chat-5',
      promptVersion: 'v3',
    });
  });

  it('reads the generateText root as the agent span, with its prompt and repeated usage but no price-table cost', () => {
    const span = normaliseSpan(
      otlpSpan({
        parentSpanId: null,
        name: 'ai.generateText',
        attributes: {
          ...telemetry,
          'operation.name': 'ai.generateText support-agent',
          'ai.operationId': 'ai.generateText',
          'ai.prompt': '{"system":"You are a support agent.","prompt":"Refund order 42"}',
          'ai.response.text': 'Order 42 was refunded.',
          'ai.response.finishReason': 'stop',
          'ai.settings.maxOutputTokens': 1024,
          'ai.usage.promptTokens': 1900,
          'ai.usage.completionTokens': 70,
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'agent', inputTokens: 1900, outputTokens: 70, finishReason: 'stop', costUsd: null });
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Order 42 was refunded.' }], finish_reason: 'stop' }]);
  });

  it('reads a root prompt given as messages', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'ai.streamText',
        attributes: { 'ai.operationId': 'ai.streamText', 'ai.prompt': '{"messages":[{"role":"user","content":"Hi"}]}' },
      }),
      spanContext(),
    );
    expect(span.kind).toBe('agent');
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
  });

  it('reads an ai.toolCall span: name, args and result', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'ai.toolCall',
        attributes: {
          ...telemetry,
          'operation.name': 'ai.toolCall support-agent',
          'ai.operationId': 'ai.toolCall',
          'ai.toolCall.name': 'refund',
          'ai.toolCall.id': 'call_2',
          'ai.toolCall.args': '{"orderId":42}',
          'ai.toolCall.result': '{"refunded":true,"amount":30}',
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'tool', toolName: 'refund', input: { orderId: 42 }, output: { refunded: true, amount: 30 }, costUsd: null });
  });

  it('reads AI SDK 5 usage names, cached input tokens and a streamed call', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'ai.streamText.doStream',
        attributes: {
          'ai.operationId': 'ai.streamText.doStream',
          'ai.model.id': 'claude-sonnet-4-20250514',
          'ai.model.provider': 'anthropic.messages',
          'ai.usage.inputTokens': 5000,
          'ai.usage.outputTokens': 300,
          'ai.usage.cachedInputTokens': 4000,
          'ai.response.finishReason': 'stop',
          'ai.response.msToFirstChunk': 420,
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'llm', provider: 'anthropic', inputTokens: 5000, outputTokens: 300, cachedTokens: 4000 });
    // claude-sonnet-4: $3 input, $0.30 cache read, $15 output per million.
    expect(span.costUsd).toBeCloseTo((1000 * 3 + 4000 * 0.3 + 300 * 15) / 1e6, 12);
  });

  it('reads the AI SDK 3 result names (ai.result.*, ai.finishReason)', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'ai.generateText.doGenerate',
        attributes: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.result.text': 'Hello', 'ai.finishReason': 'length' },
      }),
      spanContext(),
    );
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'length' }]);
    expect(span.finishReason).toBe('length');
  });

  it('reads a generated object as the assistant`s text and normalises content-filter', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'ai.generateObject.doGenerate',
        attributes: { 'ai.operationId': 'ai.generateObject.doGenerate', 'ai.response.object': '{"intent":"refund"}', 'ai.response.finishReason': 'content-filter' },
      }),
      spanContext(),
    );
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '{"intent":"refund"}' }], finish_reason: 'content-filter' }]);
    expect(span.finishReason).toBe('content_filter');
  });

  it('reads embed spans: the provider call is an embedding priced by its tokens, the wrapper a chain', () => {
    const call = normaliseSpan(
      otlpSpan({
        name: 'ai.embed.doEmbed',
        attributes: {
          'ai.operationId': 'ai.embed.doEmbed',
          'ai.model.id': 'text-embedding-3-small',
          'ai.model.provider': 'openai.embedding',
          'ai.values': ['"sunny day at the beach"'],
          'ai.usage.tokens': 6,
        },
      }),
      spanContext(),
    );
    expect(call).toMatchObject({ kind: 'embedding', inputTokens: 6, input: ['"sunny day at the beach"'] });
    expect(call.costUsd).toBeCloseTo((6 * 0.02) / 1e6, 15);
    const wrapper = normaliseSpan(otlpSpan({ name: 'ai.embed', attributes: { 'ai.operationId': 'ai.embed', 'ai.value': 'sunny day' } }), spanContext());
    expect(wrapper.kind).toBe('chain');
  });

  it('detects the kind from the span name when ai.operationId is missing', () => {
    expect(normaliseSpan(otlpSpan({ name: 'ai.toolCall', attributes: { 'ai.toolCall.name': 'x' } }), spanContext()).kind).toBe('tool');
  });
});

describe('Vercel AI SDK v7 (GenAI-style spans)', () => {
  it('reads invoke_agent, step and chat spans through the GenAI operation names', () => {
    const root = normaliseSpan(
      otlpSpan({ name: 'invoke_agent gpt-4o', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' } }),
      spanContext(),
    );
    const step = normaliseSpan(otlpSpan({ name: 'step 1', attributes: { 'gen_ai.operation.name': 'agent_step' } }), spanContext());
    const chat = normaliseSpan(
      otlpSpan({
        name: 'chat gpt-4o',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 10,
        },
      }),
      spanContext(),
    );
    expect([root.kind, step.kind, chat.kind]).toEqual(['agent', 'chain', 'llm']);
    expect(root.costUsd).toBeNull();
    expect(chat.costUsd).toBeCloseTo((100 * 2.5 + 10 * 10) / 1e6, 12);
  });
});
