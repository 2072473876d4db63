import { describe, expect, it } from 'vitest';
import { readAnthropicMessage, readLlmResponse, readOpenAIChatCompletion, readOpenAIResponse } from './response-shapes.ts';
import { toGenAiMessages } from './messages.ts';
import { ANTHROPIC_MESSAGE, OPENAI_CHAT_TOOL_CALL, OPENAI_RESPONSE } from './response-fixtures.ts';


describe('response readers', () => {
  it('read an OpenAI chat completion with a tool call', () => {
    expect(readOpenAIChatCompletion(OPENAI_CHAT_TOOL_CALL)).toEqual({
      responseModel: 'gpt-4o-2024-08-06',
      responseId: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      inputTokens: 1117,
      outputTokens: 46,
      cachedTokens: 1024,
      finishReasons: ['tool_call'],
      outputMessages: [
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_abc', name: 'lookup_order', arguments: { orderId: 'A-1' } }], finish_reason: 'tool_call' },
      ],
    });
  });

  it('read an OpenAI responses-API response with reasoning and text', () => {
    expect(readOpenAIResponse(OPENAI_RESPONSE)).toEqual({
      responseModel: 'gpt-4.1-2025-04-14',
      responseId: 'resp_67ccd2bed1ec8190b14f964abc054267',
      inputTokens: 328,
      outputTokens: 52,
      cachedTokens: 128,
      finishReasons: ['stop'],
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Checking the order.' },
            { type: 'text', content: 'It shipped.' },
          ],
          finish_reason: 'stop',
        },
      ],
    });
  });

  it('read an OpenAI response that stopped on a function call or on the token limit', () => {
    const call = { ...OPENAI_RESPONSE, output: [{ type: 'function_call', call_id: 'call_9', name: 'refund', arguments: '{"amount":5}' }] };
    expect(readOpenAIResponse(call).finishReasons).toEqual(['tool_call']);
    expect(readOpenAIResponse(call).outputMessages?.[0]?.parts).toEqual([{ type: 'tool_call', id: 'call_9', name: 'refund', arguments: { amount: 5 } }]);
    const cut = { ...OPENAI_RESPONSE, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
    expect(readOpenAIResponse(cut).finishReasons).toEqual(['length']);
  });

  it('read an Anthropic message, adding cache reads and writes back into input tokens', () => {
    expect(readAnthropicMessage(ANTHROPIC_MESSAGE)).toEqual({
      responseModel: 'claude-sonnet-4-20250514',
      responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      inputTokens: 2050,
      outputTokens: 70,
      cachedTokens: 1800,
      cacheCreationTokens: 200,
      finishReasons: ['tool_call'],
      outputMessages: [
        {
          role: 'assistant',
          parts: [
            { type: 'text', content: 'Let me check that order.' },
            { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'lookup_order', arguments: { orderId: 'A-1' } },
          ],
          finish_reason: 'tool_call',
        },
      ],
    });
  });

  it('readLlmResponse recognises each shape and ignores anything else', () => {
    expect(readLlmResponse(OPENAI_CHAT_TOOL_CALL).inputTokens).toBe(1117);
    expect(readLlmResponse(OPENAI_RESPONSE).inputTokens).toBe(328);
    expect(readLlmResponse(ANTHROPIC_MESSAGE).inputTokens).toBe(2050);
    for (const other of [null, undefined, 'text', 42, { foo: 1 }, [1, 2], { [Symbol.asyncIterator]: () => null }]) {
      expect(readLlmResponse(other)).toEqual({});
    }
  });
});

describe('toGenAiMessages', () => {
  it('converts OpenAI chat messages with tool calls and tool results', () => {
    expect(
      toGenAiMessages([
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Refund A-1' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'refund', arguments: '{"id":"A-1"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ]),
    ).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Refund A-1' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'refund', arguments: { id: 'A-1' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'done' }] },
    ]);
  });

  it('converts Anthropic messages with tool_use and tool_result blocks', () => {
    expect(
      toGenAiMessages([
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'found' }] }] },
      ]),
    ).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'lookup', arguments: { q: 1 } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: 'found' }] },
    ]);
  });

  it('converts responses-API input: a plain string and function call items', () => {
    expect(toGenAiMessages('hi')).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(
      toGenAiMessages([
        { role: 'user', content: [{ type: 'input_text', text: 'refund' }] },
        { type: 'function_call', call_id: 'c2', name: 'refund', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c2', output: 'ok' },
      ]),
    ).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'refund' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c2', name: 'refund', arguments: {} }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c2', response: 'ok' }] },
    ]);
  });

  it('keeps messages already in the GenAI format', () => {
    const messages = [{ role: 'user', parts: [{ type: 'text', content: 'x' }] }];
    expect(toGenAiMessages(messages)).toEqual(messages);
  });
});
