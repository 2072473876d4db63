import { describe, expect, it } from 'vitest';
import { ANTHROPIC_MESSAGE, OPENAI_CHAT_TOOL_CALL, OPENAI_RESPONSE } from '../response-fixtures.ts';
import { createTestClient } from '../testing.ts';
import { BudgetExceededError } from '../errors.ts';
import { wrapAnthropic } from './anthropic.ts';
import { wrapOpenAI } from './openai.ts';

// Fakes shaped like the real SDK clients: resources are class instances whose methods use
// `this` (the real ones call `this._client.post`), so a wrapper that loses `this` fails here.
class FakeTransport {
  calls: unknown[] = [];
  constructor(private readonly answer: unknown) {}
  post(body: unknown): Promise<unknown> {
    this.calls.push(body);
    return Promise.resolve(this.answer);
  }
}
class Completions {
  constructor(private readonly _client: FakeTransport) {}
  create(params: Record<string, unknown>, _options?: unknown): Promise<unknown> {
    return this._client.post(params);
  }
}
class FakeOpenAI {
  readonly apiKey = 'test';
  readonly chat: { completions: Completions };
  readonly responses: Completions;
  readonly models = { list: () => ['gpt-4o'] };
  constructor(readonly transport: FakeTransport) {
    this.chat = { completions: new Completions(transport) };
    this.responses = new Completions(transport);
  }
}
class FakeAnthropic {
  readonly messages: Completions;
  constructor(readonly transport: FakeTransport) {
    this.messages = new Completions(transport);
  }
}

describe('wrapOpenAI', () => {
  it('turns chat.completions.create into a chat span of the current run', async () => {
    const t = createTestClient();
    const transport = new FakeTransport(OPENAI_CHAT_TOOL_CALL);
    const openai = wrapOpenAI(new FakeOpenAI(transport));
    const answer = await t.client.run('support', () =>
      openai.chat.completions.create({ model: 'gpt-4o', temperature: 0, max_completion_tokens: 200, messages: [{ role: 'user', content: 'Where is A-1?' }] }),
    );
    expect(answer).toBe(OPENAI_CHAT_TOOL_CALL);
    expect(transport.calls).toHaveLength(1);
    const chat = await t.span('chat gpt-4o');
    expect(chat.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.request.max_tokens': 200,
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1117,
      'gen_ai.usage.output_tokens': 46,
      'gen_ai.response.finish_reasons': ['tool_call'],
    });
    expect(JSON.parse(chat.attributes['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Where is A-1?' }] }]);
    expect(chat.parentSpanContext?.spanId).toBe((await t.span('invoke_agent support')).spanContext().spanId);
  });

  it('turns responses.create into a chat span with the instructions as system instructions', async () => {
    const t = createTestClient();
    const openai = wrapOpenAI(new FakeOpenAI(new FakeTransport(OPENAI_RESPONSE)));
    await t.client.run('support', () => openai.responses.create({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'Status of A-1?' }));
    const chat = await t.span('chat gpt-4.1');
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBe(328);
    expect(JSON.parse(chat.attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'Be brief.' }]);
  });

  it('passes calls through untouched outside a run, and leaves other members alone', async () => {
    const t = createTestClient();
    const raw = new FakeOpenAI(new FakeTransport(OPENAI_CHAT_TOOL_CALL));
    const openai = wrapOpenAI(raw);
    expect(await openai.chat.completions.create({ model: 'gpt-4o', messages: [] })).toBe(OPENAI_CHAT_TOOL_CALL);
    expect(openai.models.list()).toEqual(['gpt-4o']);
    expect(openai.apiKey).toBe('test');
    expect(openai.chat).toBe(openai.chat); // stable identity
    expect(await t.spans()).toEqual([]);
  });

  it('refuses a completion call once the run is over budget, without calling the API', async () => {
    const t = createTestClient({ budgets: { maxTokens: 1000 } });
    const transport = new FakeTransport(OPENAI_CHAT_TOOL_CALL);
    const openai = wrapOpenAI(new FakeOpenAI(transport));
    const error = await t.client
      .run('support', async () => {
        for (let i = 0; i < 3; i++) await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(transport.calls).toHaveLength(1);
  });

  it('records an API error on the chat span and rethrows it', async () => {
    const t = createTestClient();
    const failing = new FakeOpenAI(new FakeTransport(null));
    failing.transport.post = () => Promise.reject(Object.assign(new Error('429 Rate limit reached'), { name: 'RateLimitError' }));
    const openai = wrapOpenAI(failing);
    await expect(t.client.run('support', () => openai.chat.completions.create({ model: 'gpt-4o', messages: [] }))).rejects.toThrow('429');
    const chat = await t.span('chat gpt-4o');
    expect(chat.attributes['error.type']).toBe('RateLimitError');
  });
});

describe('wrapAnthropic', () => {
  it('turns messages.create into a chat span with system instructions and cache-aware usage', async () => {
    const t = createTestClient();
    const anthropic = wrapAnthropic(new FakeAnthropic(new FakeTransport(ANTHROPIC_MESSAGE)));
    await t.client.run('support', () =>
      anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, system: 'You are a support agent.', messages: [{ role: 'user', content: 'Refund A-1' }] }),
    );
    const chat = await t.span('chat claude-sonnet-4-20250514');
    expect(chat.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.max_tokens': 1024,
      'gen_ai.usage.input_tokens': 2050,
      'gen_ai.usage.cache_read.input_tokens': 1800,
      'gen_ai.usage.cache_creation.input_tokens': 200,
      'gen_ai.usage.output_tokens': 70,
      'gen_ai.response.finish_reasons': ['tool_call'],
    });
    expect(JSON.parse(chat.attributes['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'You are a support agent.' }]);
  });
});
