import { describe, expect, it } from 'vitest';
import { normaliseSpan } from './index.ts';
import { otlpSpan, spanContext } from './fixtures.ts';

// Attributes as openinference-instrumentation-openai sets them on a chat completion with a tool call.
const llmAttributes = {
  'openinference.span.kind': 'LLM',
  'llm.system': 'openai',
  'llm.provider': 'openai',
  'llm.model_name': 'gpt-4o-mini-2024-07-18',
  'llm.invocation_parameters': '{"model": "gpt-4o-mini", "temperature": 0}',
  'input.value': '{"messages": [{"role": "system", "content": "You are a support agent."}, {"role": "user", "content": "Where is order 42?"}], "model": "gpt-4o-mini"}',
  'input.mime_type': 'application/json',
  'llm.input_messages.0.message.role': 'system',
  'llm.input_messages.0.message.content': 'You are a support agent.',
  'llm.input_messages.1.message.role': 'user',
  'llm.input_messages.1.message.content': 'Where is order 42?',
  'output.value': '{"id": "chatcmpl-1", "choices": [{"finish_reason": "tool_calls"}]}',
  'output.mime_type': 'application/json',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_abc',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'lookup_order',
  'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"order_id": 42}',
  'llm.token_count.prompt': 2048,
  'llm.token_count.completion': 18,
  'llm.token_count.total': 2066,
  'llm.token_count.prompt_details.cache_read': 1024,
  'llm.tools.0.tool.json_schema': '{"type": "function", "function": {"name": "lookup_order"}}',
  'session.id': 'sess-9',
  'user.id': 'user-3',
  'llm.prompt_template.version': 'v2',
  metadata: '{"tier": "gold"}',
};

describe('OpenInference', () => {
  it('reads an LLM span: model, provider, usage with cache reads, messages from flattened keys', () => {
    const span = normaliseSpan(otlpSpan({ name: 'ChatCompletion', kind: 3, attributes: llmAttributes }), spanContext());
    expect(span).toMatchObject({
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      inputTokens: 2048,
      outputTokens: 18,
      cachedTokens: 1024,
    });
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_abc', name: 'lookup_order', arguments: { order_id: 42 } }] }]);
    expect(span.facts).toMatchObject({ sessionId: 'sess-9', userId: 'user-3', promptVersion: 'v2' });
  });

  it('prices an LLM span from the table when the client sent no cost', () => {
    const span = normaliseSpan(otlpSpan({ attributes: llmAttributes }), spanContext());
    // gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per million.
    expect(span.costUsd).toBeCloseTo((1024 * 0.15 + 1024 * 0.075 + 18 * 0.6) / 1e6, 12);
  });

  it('uses llm.cost.total when the client sent it, over the price table', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { ...llmAttributes, 'llm.cost.total': 0.0042 } }), spanContext());
    expect(span.costUsd).toBe(0.0042);
  });

  it('sums llm.cost.prompt and llm.cost.completion when no total is sent', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { ...llmAttributes, 'llm.cost.prompt': 0.001, 'llm.cost.completion': 0.0005 } }), spanContext());
    expect(span.costUsd).toBeCloseTo(0.0015, 12);
  });

  it('falls back to input.value when no messages are flattened, reading a request body`s messages', () => {
    const attributes = Object.fromEntries(Object.entries(llmAttributes).filter(([key]) => !key.startsWith('llm.input_messages.')));
    const span = normaliseSpan(otlpSpan({ attributes }), spanContext());
    expect(span.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] },
    ]);
  });

  it('reads multimodal contents, tool results and function-call messages', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-4o',
          'llm.input_messages.0.message.role': 'user',
          'llm.input_messages.0.message.contents.0.message_content.type': 'text',
          'llm.input_messages.0.message.contents.0.message_content.text': 'What is in this picture?',
          'llm.input_messages.0.message.contents.1.message_content.type': 'image',
          'llm.input_messages.0.message.contents.1.message_content.image.image.url': 'https://example.com/cat.png',
          'llm.input_messages.1.message.role': 'assistant',
          'llm.input_messages.1.message.function_call_name': 'describe',
          'llm.input_messages.1.message.function_call_arguments_json': '{"detail": "high"}',
          'llm.input_messages.2.message.role': 'tool',
          'llm.input_messages.2.message.tool_call_id': 'call_1',
          'llm.input_messages.2.message.content': '{"objects": ["cat"]}',
          'llm.output_messages.0.message.role': 'assistant',
          'llm.output_messages.0.message.content': 'A cat.',
          'llm.finish_reason': 'stop',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'What is in this picture?' },
          { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
        ],
      },
      { role: 'assistant', parts: [{ type: 'tool_call', id: null, name: 'describe', arguments: { detail: 'high' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { objects: ['cat'] } }] },
    ]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'A cat.' }] }]);
    expect(span.finishReason).toBe('stop');
  });

  it('reads the legacy completions API prompts and choices', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-3.5-turbo-instruct',
          'llm.prompts.0.prompt.text': 'def fib(n):',
          'llm.choices.0.completion.text': '  return n if n < 2 else fib(n-1) + fib(n-2)',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'def fib(n):' }] }]);
    expect(span.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: '  return n if n < 2 else fib(n-1) + fib(n-2)' }] }]);
  });

  it('reads a TOOL span: name, JSON arguments, plain-text result', () => {
    const span = normaliseSpan(
      otlpSpan({
        name: 'lookup_order',
        attributes: {
          'openinference.span.kind': 'TOOL',
          'tool.name': 'lookup_order',
          'tool.description': 'Looks up an order by id',
          'tool.parameters': '{"type": "object", "properties": {"order_id": {"type": "integer"}}}',
          'input.value': '{"order_id": 42}',
          'input.mime_type': 'application/json',
          'output.value': 'Order 42 shipped on Monday',
          'output.mime_type': 'text/plain',
        },
      }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'tool', toolName: 'lookup_order', input: { order_id: 42 }, output: 'Order 42 shipped on Monday' });
  });

  it('keeps text/plain input that looks like JSON as text', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': '[not json', 'input.mime_type': 'text/plain' } }),
      spanContext(),
    );
    expect(span.input).toBe('[not json');
  });

  it('reads an AGENT span`s agent name', () => {
    const span = normaliseSpan(otlpSpan({ attributes: { 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher', 'input.value': 'find flights' } }), spanContext());
    expect(span.kind).toBe('agent');
    expect(span.facts.agentName).toBe('researcher');
    expect(span.input).toBe('find flights');
  });

  it.each([
    ['CHAIN', 'chain'],
    ['RETRIEVER', 'retrieval'],
    ['RERANKER', 'retrieval'],
    ['EMBEDDING', 'embedding'],
    ['GUARDRAIL', 'guardrail'],
    ['EVALUATOR', 'other'],
    ['PROMPT', 'chain'],
  ])('maps span kind %s to %s', (oiKind, kind) => {
    expect(normaliseSpan(otlpSpan({ attributes: { 'openinference.span.kind': oiKind } }), spanContext()).kind).toBe(kind);
  });

  it('prices the hosting provider (llm.provider) rather than the model family (llm.system)', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'openinference.span.kind': 'LLM', 'llm.system': 'openai', 'llm.provider': 'azure', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 100, 'llm.token_count.completion': 10 } }),
      spanContext(),
    );
    expect(span.provider).toBe('azure');
    expect(span.costUsd).toBeCloseTo((100 * 2.5 + 10 * 10) / 1e6, 12);
  });

  it('reads the embedding model name on EMBEDDING spans', () => {
    const span = normaliseSpan(
      otlpSpan({ attributes: { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.token_count.prompt': 500 } }),
      spanContext(),
    );
    expect(span).toMatchObject({ kind: 'embedding', model: 'text-embedding-3-small', inputTokens: 500 });
    // No provider, and the price table does not attribute this name to one by itself: unknown, not a guess.
    expect(span.costUsd).toBeNull();
    const withProvider = normaliseSpan(
      otlpSpan({ attributes: { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.provider': 'openai', 'llm.token_count.prompt': 500 } }),
      spanContext(),
    );
    expect(withProvider.costUsd).toBeCloseTo((500 * 0.02) / 1e6, 12);
  });

  it('ignores flattened indices beyond the bound instead of allocating for them', () => {
    const span = normaliseSpan(
      otlpSpan({
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.input_messages.0.message.role': 'user',
          'llm.input_messages.0.message.content': 'hi',
          'llm.input_messages.99999999.message.role': 'user',
          'llm.input_messages.99999999.message.content': 'ignored',
        },
      }),
      spanContext(),
    );
    expect(span.input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
  });
});
