import { describe, expect, it } from 'vitest';
import { runInputOutput } from './run-io.ts';
import type { Span } from './types.ts';

describe('runInputOutput', () => {
  const base: Omit<Span, 'spanId' | 'parentSpanId' | 'kind' | 'input' | 'output'> = {
    traceId: 't', name: 'x', startTime: 0, durationMs: 1, status: 'unset', statusMessage: null, service: null, model: null,
    provider: null, inputTokens: null, outputTokens: null, cachedTokens: null, costUsd: null, toolName: null, finishReason: null,
    errorType: null, attributes: {}, events: [],
  };
  const llm = (spanId: string, startTime: number, input: unknown, output: unknown) => ({ ...base, spanId, parentSpanId: 'root', kind: 'llm' as const, startTime, input, output });

  it('takes the question from the first llm call and the answer from the last when the root has none', () => {
    const spans = [
      { ...base, spanId: 'root', parentSpanId: null, kind: 'agent' as const, input: null, output: null },
      llm('b', 2, [], [{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }] }]),
      llm('a', 1, [{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', content: 'Refund A-1?' }] }], [{ role: 'assistant', parts: [{ type: 'tool_call', name: 'refund' }] }]),
    ];
    expect(runInputOutput(spans)).toEqual({ input: 'Refund A-1?', output: 'Done.' });
  });

  it('prefers what the root span recorded', () => {
    const spans = [{ ...base, spanId: 'root', parentSpanId: null, kind: 'agent' as const, input: 'Where is A-7?', output: { eta: 'tomorrow' } }];
    expect(runInputOutput(spans)).toEqual({ input: 'Where is A-7?', output: '{"eta":"tomorrow"}' });
  });
});
