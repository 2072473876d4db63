import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from './errors.ts';
import { createTestClient } from './testing.ts';

const usage = (input: number, output: number, model = 'gpt-4o-mini') => ({
  object: 'chat.completion',
  model,
  choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'ok' } }],
  usage: { prompt_tokens: input, completion_tokens: output },
});
const budgetEvents = (span: ReadableSpan) => span.events.filter((event) => event.name === 'runlens.budget.exceeded');

describe('budgets', () => {
  it('refuses the tool call that would pass maxToolCalls: it never runs', async () => {
    const t = createTestClient({ budgets: { maxToolCalls: 2 } });
    const ran: number[] = [];
    const error = await t.client
      .run('support', async (run) => {
        for (let i = 1; i <= 5; i++) await run.tool('lookup', { i }, async () => ran.push(i));
      })
      .catch((caught: unknown) => caught);
    expect(ran).toEqual([1, 2]);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ budget: 'maxToolCalls', limit: 2, value: 3 });
    expect((error as Error).message).toMatch(/maxToolCalls exceeded: 3 tool calls against a limit of 2 tool calls/);
    const spans = await t.spans();
    expect(spans.filter((span) => span.name === 'execute_tool lookup')).toHaveLength(2);
    const root = await t.span('invoke_agent support');
    expect(root.attributes['runlens.run.outcome']).toBe('budget_exceeded');
    expect(budgetEvents(root).map((event) => event.attributes)).toEqual([{ budget: 'maxToolCalls', limit: 2, value: 3 }]);
  });

  it('withholds the llm answer that passes maxTokens and refuses every later call', async () => {
    const t = createTestClient({ budgets: { maxTokens: 1000 } });
    let calls = 0;
    let caught: unknown;
    await t.client.run('support', async (run) => {
      try {
        for (let i = 0; i < 5; i++) await run.llm({ model: 'gpt-4o-mini' }, async () => (calls++, usage(400, 50)));
      } catch (error) {
        caught = error;
      }
      // Fail closed: even after the agent caught the error, the run stays closed.
      await expect(run.tool('lookup', {}, async () => 'x')).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(run.llm({ model: 'gpt-4o-mini' }, async () => (calls++, usage(1, 1)))).rejects.toBeInstanceOf(BudgetExceededError);
      return 'stopped';
    });
    expect(calls).toBe(3);
    expect(caught).toMatchObject({ budget: 'maxTokens', limit: 1000, value: 1350 });
    const root = await t.span('invoke_agent support');
    expect(root.attributes['runlens.run.outcome']).toBe('budget_exceeded');
    expect(budgetEvents(root)).toHaveLength(1);
  });

  it('counts explicit costs against maxCostUsd', async () => {
    const t = createTestClient({ budgets: { maxCostUsd: 0.01 } });
    let calls = 0;
    const error = await t.client
      .run('support', async (run) => {
        for (let i = 0; i < 10; i++) {
          await run.llm({ model: 'in-house-model' }, async (call) => {
            calls++;
            call.record({ inputTokens: 100, outputTokens: 10, costUsd: 0.004 });
          });
        }
      })
      .catch((caught: unknown) => caught);
    expect(calls).toBe(3);
    expect(error).toMatchObject({ budget: 'maxCostUsd', limit: 0.01 });
    expect((error as BudgetExceededError).value).toBeCloseTo(0.012, 9);
  });

  it('fails closed when maxCostUsd is set and a call has no known price', async () => {
    const t = createTestClient({ budgets: { maxCostUsd: 1 } });
    const error = await t.client
      .run('support', async (run) => run.llm({ model: 'no-such-model-xyz' }, async () => usage(10, 10, 'no-such-model-xyz')))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ budget: 'maxCostUsd', value: null });
    expect((error as Error).message).toMatch(/cost of the llm call to model 'no-such-model-xyz' is unknown/);
  });

  it('refuses calls once maxDurationMs has passed', async () => {
    let now = 0;
    const t = createTestClient({ clock: { now: () => now }, budgets: { maxDurationMs: 1000 } });
    let ran = 0;
    const error = await t.client
      .run('support', async (run) => {
        await run.tool('a', {}, async () => ran++);
        now = 1001;
        await run.tool('b', {}, async () => ran++);
      })
      .catch((caught: unknown) => caught);
    expect(ran).toBe(1);
    expect(error).toMatchObject({ budget: 'maxDurationMs', limit: 1000, value: 1001 });
  });

  it('lets a run override the client budgets', async () => {
    const t = createTestClient({ budgets: { maxToolCalls: 1 } });
    await t.client.run('support', { budgets: { maxToolCalls: 3 } }, async (run) => {
      for (let i = 0; i < 3; i++) await run.tool('lookup', {}, async () => i);
    });
    expect((await t.span('invoke_agent support')).attributes['runlens.run.outcome']).toBe('success');
  });

  it("counts a nested run's calls against its parent's budget", async () => {
    const t = createTestClient();
    let ran = 0;
    const error = await t.client
      .run('support', { budgets: { maxToolCalls: 2 } }, async (run) => {
        await run.tool('delegate', {}, async () =>
          t.client.run('billing', async (inner) => {
            await inner.tool('lookup', {}, async () => ran++);
            await inner.tool('lookup', {}, async () => ran++);
          }),
        );
      })
      .catch((caught: unknown) => caught);
    expect(ran).toBe(1);
    expect(error).toMatchObject({ budget: 'maxToolCalls', limit: 2, value: 3 });
    expect((await t.span('invoke_agent support')).attributes['runlens.run.outcome']).toBe('budget_exceeded');
    expect((await t.span('invoke_agent billing')).attributes['runlens.run.outcome']).toBe('budget_exceeded');
    expect(budgetEvents(await t.span('invoke_agent support'))).toHaveLength(1);
  });

  it('prices calls from the shared price table when no cost is given', async () => {
    const t = createTestClient({ budgets: { maxCostUsd: 0.0005 } });
    let calls = 0;
    const error = await t.client
      .run('support', async (run) => {
        for (let i = 0; i < 10; i++) await run.llm({ model: 'gpt-4o-mini', provider: 'openai' }, async () => (calls++, usage(1000, 100)));
      })
      .catch((caught: unknown) => caught);
    // gpt-4o-mini: $0.15 / M input, $0.60 / M output → $0.00021 a call; the third passes $0.0005.
    expect(calls).toBe(3);
    expect(error).toMatchObject({ budget: 'maxCostUsd', limit: 0.0005 });
    expect((error as BudgetExceededError).value).toBeCloseTo(0.00063, 9);
  });

  it('rejects a malformed budget with a message naming it', () => {
    expect(() => createTestClient({ budgets: { maxTokens: -1 } })).toThrow(/budgets.maxTokens must be a number >= 0/);
    expect(() => createTestClient({ budgets: { maxTokenz: 1 } as never })).toThrow(/unknown budget 'maxTokenz'/);
  });
});
