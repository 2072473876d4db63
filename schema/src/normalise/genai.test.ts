import { describe, expect, it } from 'vitest';
import { normaliseSpan } from './index.ts';
import { otlpEvent, otlpSpan, spanContext } from './fixtures.ts';

// The one-run payload of conventions.md (c), as the decoders hand it over.
const agentSpan = otlpSpan({
  spanId: '051581bf3cb55c13',
  parentSpanId: null,
  name: 'invoke_agent weather_agent',
  attributes: {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.provider.name': 'openai',
    'gen_ai.agent.name': 'weather_agent',
    'gen_ai.conversation.id': 'conv_42',
    'user.id': 'u_7',
  },
});
const chatSpan = otlpSpan({
  name: 'chat gpt-4o',
  kind: 3,
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 812,
    'gen_ai.usage.cache_read.input_tokens': 512,
    'gen_ai.usage.output_tokens': 21,
    'gen_ai.response.finish_reasons': ['tool_call'],
    'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]',
    'gen_ai.output.messages':
      '[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]',
  },
});
const toolSpan = otlpSpan({
  name: 'execute_tool get_weather',
  attributes: {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'get_weather',
    'gen_ai.tool.call.id': 'call_1',
    'gen_ai.tool.call.arguments': '{"city":"Paris"}',
    'gen_ai.tool.call.result': '{"temp_c":14,"conditions":"rain"}',
  },
});

describe('GenAI conventions, current form', () => {
  it('reads the agent span of a run: kind, agent name, user and session', () => {
    const span = normaliseSpan(agentSpan, spanContext({ 'service.name': 'weather-agent' }));
    expect(span.kind).toBe('agent');
    expect(span.service).toBe('weather-agent');
    expect(span.provider).toBe('openai');
    expect(span.facts).toMatchObject({ agentName: 'weather_agent', sessionId: 'conv_42', userId: 'u_7' });
    expect(span.costUsd).toBeNull();
  });

  it('reads an inference span: response model, usage with cached tokens, messages and finish reason', () => {
    const span = normaliseSpan(chatSpan, spanContext());
    expect(span).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      inputTokens: 812,
      cachedTokens: 512,
      outputTokens: 21,
      finishReason: 'tool_call',
    });
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }]);
    expect(span.output).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('prices an inference span from the price table, cached tokens at the cache rate', () => {
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million tokens.
    const span = normaliseSpan(chatSpan, spanContext());
    expect(span.costUsd).toBeCloseTo((300 * 2.5 + 512 * 1.25 + 21 * 10) / 1e6, 12);
  });

  it('reads a tool span: name, and arguments and result parsed from JSON', () => {
    const span = normaliseSpan(toolSpan, spanContext());
    expect(span).toMatchObject({ kind: 'tool', toolName: 'get_weather', input: { city: 'Paris' }, output: { temp_c: 14, conditions: 'rain' } });
  });

  it('keeps a tool result that is not JSON as the string it is', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.result': 'no results' } }),
      spanContext(),
    );
    expect(span.output).toBe('no results');
  });

  it('reads structured any-values (kvlist / array) the same as JSON strings', () => {
    const structured = otlpSpan({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'openai',
        'gen_ai.system_instructions': [{ type: 'text', content: 'You are a weather bot.' }],
        'gen_ai.input.messages': [
          { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', result: { temp_c: 14 } }] },
        ],
        'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 14°C.' }], finish_reason: 'stop' }],
        'gen_ai.tool.call.arguments': { city: 'Paris' },
      },
    });
    const span = normaliseSpan(structured, spanContext());
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a weather bot.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      // `result` (written by some SDKs) is read as the convention's `response`.
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { temp_c: 14 } }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Rainy, 14°C.' }], finish_reason: 'stop' }]);
    expect(span.finishReason).toBe('stop');
  });

  it('puts system instructions sent as a JSON string first, as a system message', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system_instructions': '[{"type":"text","content":"Be brief."}]',
          'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
    ]);
  });

  it('keeps unknown part types as generic parts', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' }] }],
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' }] }]);
  });

  it('reads messages from the gen_ai.client.inference.operation.details event', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
        events: [
          otlpEvent('gen_ai.client.inference.operation.details', {
            'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Hello"}]}]',
            'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"Hi!"}],"finish_reason":"stop"}]',
          }),
        ],
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hello' }] }]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hi!' }], finish_reason: 'stop' }]);
    expect(span.finishReason).toBe('stop');
  });

  it.each([
    ['chat', 'llm'],
    ['text_completion', 'llm'],
    ['generate_content', 'llm'],
    ['execute_tool', 'tool'],
    ['invoke_agent', 'agent'],
    ['create_agent', 'agent'],
    ['plan', 'agent'],
    ['invoke_workflow', 'chain'],
    ['agent_step', 'chain'],
    ['embeddings', 'embedding'],
    ['retrieval', 'retrieval'],
    ['apply_guardrail', 'guardrail'],
  ])('maps operation %s to kind %s', (operation, kind) => {
    expect(normaliseSpan(otlpSpan({ attributes: { 'gen_ai.operation.name': operation } }), spanContext()).kind).toBe(kind);
  });

  it('prices an embeddings span by its input tokens', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'embeddings text-embedding-3-small',
        attributes: {
          'gen_ai.operation.name': 'embeddings',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'text-embedding-3-small',
          'gen_ai.usage.input_tokens': 1000,
        },
      }),
      spanContext(),
    );
    expect(span.kind).toBe('embedding');
    expect(span.costUsd).toBeCloseTo((1000 * 0.02) / 1e6, 12);
  });

  it('adds cache counts back into input tokens that evidently excluded them (rule 4)', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-3-5-haiku-20241022',
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.usage.cache_read.input_tokens': 3000,
          'gen_ai.usage.cache_creation.input_tokens': 500,
          'gen_ai.usage.output_tokens': 90,
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ inputTokens: 3512, cachedTokens: 3000 });
  });

  it('reports a failed operation: error status, message and error.type', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'error.type': 'RateLimitError' },
        status: { code: 2, message: 'Rate limit reached for gpt-4o' },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ status: 'error', statusMessage: 'Rate limit reached for gpt-4o', errorType: 'RateLimitError' });
  });

  it('takes the error type and message from the exception event when error.type is absent', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund' },
        status: { code: 2, message: '' },
        events: [otlpEvent('exception', { 'exception.type': 'TimeoutError', 'exception.message': 'refund service timed out' })],
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ status: 'error', statusMessage: 'refund service timed out', errorType: 'TimeoutError' });
  });
});

describe('GenAI conventions, deprecated forms', () => {
  it('reads gen_ai.system as the provider and prompt/completion token counts', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.prompt_tokens': 1200,
          'gen_ai.usage.completion_tokens': 80,
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ provider: 'openai', inputTokens: 1200, outputTokens: 80 });
    expect(span.costUsd).toBeCloseTo((1200 * 0.15 + 80 * 0.6) / 1e6, 12);
  });

  it('detects the kind from the span name when no operation attribute is set', () => {
    const llm = normaliseSpan(otlpSpan({ name: 'chat gpt-3.5-turbo', attributes: { 'gen_ai.system': 'openai' } }), spanContext());
    const embedding = normaliseSpan(otlpSpan({ name: 'embeddings text-embedding-ada-002', attributes: { 'gen_ai.system': 'openai' } }), spanContext());
    expect(llm.kind).toBe('llm');
    expect(embedding.kind).toBe('embedding');
  });

  it('reads gen_ai.prompt and gen_ai.completion attributes holding chat JSON or plain text', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.prompt': '[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]',
          'gen_ai.completion': 'Hello! How can I help?',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello! How can I help?' }] }]);
  });

  it('reads the span events gen_ai.content.prompt and gen_ai.content.completion', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4' },
        name: 'chat gpt-4',
        events: [
          otlpEvent('gen_ai.content.prompt', { 'gen_ai.prompt': '[{"role":"user","content":"What is 2+2?"}]' }),
          otlpEvent('gen_ai.content.completion', { 'gen_ai.completion': '[{"role":"assistant","content":"4"}]' }, 1000n),
        ],
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'What is 2+2?' }] }]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '4' }] }]);
  });

  it('reads message events and the choice event, with its finish reason normalised', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'chat gpt-4o',
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' },
        events: [
          otlpEvent('gen_ai.system.message', { 'gen_ai.system': 'openai', content: 'You are a support agent.' }),
          otlpEvent('gen_ai.user.message', { 'gen_ai.system': 'openai', content: 'Where is order 42?' }),
          otlpEvent('gen_ai.assistant.message', {
            'gen_ai.system': 'openai',
            tool_calls: '[{"id":"call_9","type":"function","function":{"name":"lookup_order","arguments":"{\\"id\\":42}"}}]',
          }),
          otlpEvent('gen_ai.tool.message', { 'gen_ai.system': 'openai', id: 'call_9', content: '{"status":"shipped"}' }),
          otlpEvent('gen_ai.choice', {
            'gen_ai.system': 'openai',
            index: 0,
            finish_reason: 'tool_calls',
            message: { role: 'assistant', tool_calls: [{ id: 'call_10', type: 'function', function: { name: 'send_email', arguments: '{}' } }] },
          }),
        ],
      }),
      spanContext(),
    );
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_9', name: 'lookup_order', arguments: { id: 42 } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', response: { status: 'shipped' } }] },
    ]);
    expect(span.output).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_10', name: 'send_email', arguments: {} }], finish_reason: 'tool_calls' },
    ]);
    expect(span.finishReason).toBe('tool_call');
  });

  it('reads a message event packed into gen_ai.event.content', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'chat gpt-4o',
        attributes: { 'gen_ai.system': 'openai' },
        events: [otlpEvent('gen_ai.user.message', { 'gen_ai.event.content': '{"role":"user","content":"Hello"}' })],
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hello' }] }]);
  });
});
