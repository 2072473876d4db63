import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { createTestClient } from './testing.ts';

const attr = (span: ReadableSpan, key: string): unknown => span.attributes[key];
const events = (span: ReadableSpan, name: string) => span.events.filter((event) => event.name === name);
const join = (...parts: string[]): string => parts.join('');

const chatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Your order ships today.' } }],
  usage: { prompt_tokens: 120, completion_tokens: 8, prompt_tokens_details: { cached_tokens: 64 } },
};

describe('run', () => {
  it('creates an invoke_agent root span with user, session, versions, input and output', async () => {
    const t = createTestClient({ versions: { prompt: 'v1', policy: 'p3', app: '1.4.0' } });
    const value = await t.client.run(
      'support',
      { userId: 'u_7', sessionId: 's_1', input: 'Where is my order?', metadata: { tier: 'gold', priority: 2 }, versions: { prompt: 'v2' } },
      async () => 'It ships today.',
    );
    expect(value).toBe('It ships today.');
    const root = await t.span('invoke_agent support');
    expect(root.kind).toBe(SpanKind.INTERNAL);
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support',
      'user.id': 'u_7',
      'gen_ai.conversation.id': 's_1',
      'runlens.version.prompt': 'v2',
      'runlens.version.policy': 'p3',
      'runlens.run.outcome': 'success',
      'runlens.metadata.tier': 'gold',
      'runlens.metadata.priority': 2,
    });
    expect(JSON.parse(attr(root, 'gen_ai.input.messages') as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
    ]);
    expect(JSON.parse(attr(root, 'gen_ai.output.messages') as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'It ships today.' }] },
    ]);
    expect(root.resource.attributes['service.name']).toBe('test-agent');
    expect(root.resource.attributes['service.version']).toBe('1.4.0');
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records an exception on the root span and rethrows it', async () => {
    const t = createTestClient();
    class OrderNotFound extends Error {
      override name = 'OrderNotFound';
    }
    await expect(
      t.client.run('support', async () => {
        throw new OrderNotFound('no order 42');
      }),
    ).rejects.toThrow(OrderNotFound);
    const root = await t.span('invoke_agent support');
    expect(root.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no order 42' });
    expect(attr(root, 'error.type')).toBe('OrderNotFound');
    expect(attr(root, 'runlens.run.outcome')).toBe('failure');
    const [exception] = events(root, 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.type': 'OrderNotFound', 'exception.message': 'no order 42' });
  });

  it('makes llm calls chat spans with request, response, usage and messages', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      const answer = await run.llm(
        { model: 'gpt-4o-mini', provider: 'openai', temperature: 0.2, maxTokens: 300, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is it?' }] },
        async () => chatCompletion,
      );
      expect(answer).toBe(chatCompletion);
    });
    const chat = await t.span('chat gpt-4o-mini');
    const root = await t.span('invoke_agent support');
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 300,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.usage.cache_read.input_tokens': 64,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(JSON.parse(attr(chat, 'gen_ai.input.messages') as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Where is it?' }] },
    ]);
    expect(JSON.parse(attr(chat, 'gen_ai.output.messages') as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Your order ships today.' }], finish_reason: 'stop' },
    ]);
    expect(attr(root, 'gen_ai.provider.name')).toBe('openai');
  });

  it('takes explicit usage, cost and output over what the response says', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      await run.llm({ model: 'claude-sonnet-4', provider: 'anthropic', system: 'You are a support agent.' }, async (call) => {
        call.record({ inputTokens: 900, outputTokens: 40, costUsd: 0.0033, output: 'Refund approved.', finishReasons: ['stop'] });
        return 'raw text';
      });
    });
    const chat = await t.span('chat claude-sonnet-4');
    expect(chat.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 40,
      'runlens.cost.usd': 0.0033,
    });
    expect(JSON.parse(attr(chat, 'gen_ai.system_instructions') as string)).toEqual([{ type: 'text', content: 'You are a support agent.' }]);
    expect(JSON.parse(attr(chat, 'gen_ai.output.messages') as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Refund approved.' }], finish_reason: 'stop' },
    ]);
  });

  it('makes tool calls execute_tool spans with arguments and result, and records a tool error', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      const order = await run.tool('lookup_order', { orderId: 'A-1' }, async (args) => ({ id: args.orderId, status: 'shipped' }), { callId: 'call_1' });
      expect(order).toEqual({ id: 'A-1', status: 'shipped' });
      await expect(
        run.tool('refund', { orderId: 'A-1' }, async () => {
          throw new RangeError('refund window closed');
        }),
      ).rejects.toThrow('refund window closed');
    });
    const lookup = await t.span('execute_tool lookup_order');
    expect(lookup.kind).toBe(SpanKind.INTERNAL);
    expect(lookup.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_order',
      'gen_ai.tool.call.id': 'call_1',
      'gen_ai.tool.call.arguments': '{"orderId":"A-1"}',
      'gen_ai.tool.call.result': '{"id":"A-1","status":"shipped"}',
    });
    const refund = await t.span('execute_tool refund');
    expect(refund.status).toEqual({ code: SpanStatusCode.ERROR, message: 'refund window closed' });
    expect(attr(refund, 'error.type')).toBe('RangeError');
    expect(events(refund, 'exception')).toHaveLength(1);
    expect(attr(await t.span('invoke_agent support'), 'runlens.run.outcome')).toBe('success');
  });

  it('records escalations and approvals as events, and an escalated run has outcome escalated', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      await run.tool('refund', { amount: 500 }, async () => {
        run.approval('refund', { approver: 'lead@acme', decision: 'approved' });
        return 'ok';
      });
      run.escalate('customer asked for a human');
    });
    const root = await t.span('invoke_agent support');
    const refund = await t.span('execute_tool refund');
    expect(attr(root, 'runlens.run.outcome')).toBe('escalated');
    expect(events(root, 'runlens.escalation')[0]?.attributes).toEqual({ reason: 'customer asked for a human' });
    expect(events(refund, 'runlens.approval')[0]?.attributes).toEqual({ action: 'refund', approver: 'lead@acme', decision: 'approved' });
  });

  it('nests a run started inside a tool under that tool span, in the same trace', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      await run.tool('ask_billing_agent', { q: 'refund?' }, async () =>
        t.client.run('billing', async (inner) => inner.llm({ model: 'gpt-4o-mini', provider: 'openai' }, async () => chatCompletion)),
      );
    });
    const outer = await t.span('invoke_agent support');
    const tool = await t.span('execute_tool ask_billing_agent');
    const inner = await t.span('invoke_agent billing');
    const chat = await t.span('chat gpt-4o-mini');
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(tool.spanContext().spanId);
    expect(chat.parentSpanContext?.spanId).toBe(inner.spanContext().spanId);
  });

  it('keeps concurrent runs apart', async () => {
    const t = createTestClient();
    await Promise.all(
      ['a', 'b', 'c'].map((user) =>
        t.client.run('support', { userId: user }, async (run) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          await run.tool('lookup', { user }, async () => user);
        }),
      ),
    );
    const spans = await t.spans();
    for (const tool of spans.filter((span) => span.name === 'execute_tool lookup')) {
      const parent = spans.find((span) => span.spanContext().spanId === tool.parentSpanContext?.spanId);
      expect(JSON.parse(attr(tool, 'gen_ai.tool.call.arguments') as string).user).toBe(attr(parent!, 'user.id'));
    }
  });

  it('redacts content before export and records one policy violation event per hit', async () => {
    const t = createTestClient();
    const key = join('sk-', 'proj-', 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f');
    await t.client.run('support', { input: `my key is ${key}` }, async (run) => {
      await run.tool('send_email', { to: 'jane@example.com', card: '4111 1111 1111 1111' }, async () => 'sent');
    });
    const root = await t.span('invoke_agent support');
    const tool = await t.span('execute_tool send_email');
    expect(attr(root, 'gen_ai.input.messages')).not.toContain(key);
    expect(attr(root, 'gen_ai.input.messages')).toContain('[REDACTED:secret]');
    expect(events(root, 'runlens.policy.violation').map((event) => event.attributes)).toEqual([
      { rule: 'openai_api_key', field: 'gen_ai.input.messages', kind: 'secret' },
    ]);
    expect(attr(tool, 'gen_ai.tool.call.arguments')).toBe('{"to":"[REDACTED:email]","card":"[REDACTED:card]"}');
    expect(events(tool, 'runlens.policy.violation').map((event) => event.attributes?.rule).sort()).toEqual(['card_number', 'email']);
  });

  it('redacts secrets in error messages', async () => {
    const t = createTestClient();
    const key = join('sk-', 'ant-api03-', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe');
    await expect(
      t.client.run('support', async () => {
        throw new Error(`401 invalid key ${key}`);
      }),
    ).rejects.toThrow();
    const root = await t.span('invoke_agent support');
    expect(root.status.message).toBe('401 invalid key [REDACTED:secret]');
    expect(JSON.stringify(root.events)).not.toContain(key);
  });

  it('sends no prompt, output, arguments or results when captureContent is false', async () => {
    const t = createTestClient({ captureContent: false });
    await t.client.run('support', { input: 'hello' }, async (run) => {
      await run.llm({ model: 'gpt-4o-mini', provider: 'openai', messages: [{ role: 'user', content: 'hello' }], system: 'sys' }, async () => chatCompletion);
      await run.tool('lookup_order', { id: 1 }, async () => ({ ok: true }));
      return 'bye';
    });
    for (const span of await t.spans()) {
      for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result']) {
        expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
      }
    }
    expect(attr(await t.span('chat gpt-4o-mini'), 'gen_ai.usage.input_tokens')).toBe(120);
  });

  it('exposes the usage of the run to the agent', async () => {
    const t = createTestClient();
    await t.client.run('support', async (run) => {
      await run.llm({ model: 'gpt-4o-mini' }, async () => chatCompletion);
      await run.tool('lookup', {}, async () => 1);
      expect(run.usage).toMatchObject({ llmCalls: 1, toolCalls: 1, tokens: 128 });
    });
  });

  it('uses an injected clock for span times', async () => {
    let now = Date.UTC(2026, 0, 1);
    const t = createTestClient({ clock: { now: () => now } });
    await t.client.run('support', async (run) => {
      await run.tool('slow', {}, async () => {
        now += 1500;
      });
      now += 500;
    });
    const tool = await t.span('execute_tool slow');
    const root = await t.span('invoke_agent support');
    const ms = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;
    expect(ms(tool.duration)).toBeCloseTo(1500, 3);
    expect(ms(root.duration)).toBeCloseTo(2000, 3);
    expect(ms(root.startTime)).toBeCloseTo(Date.UTC(2026, 0, 1), 3);
  });
});
