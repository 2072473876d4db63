// The Vercel AI SDK adapter with the real `ai` package (6.x): tools wrapped by policyTools go
// through run.tool, so the policy refuses, gates and records them; with approvals: 'ai' the
// policy drives the package's own tool approval (needsApproval → tool-approval-request).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateText, jsonSchema, stepCountIs, tool, type ModelMessage } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { InMemorySpanExporter, RunlensClient, ToolDeniedError, policyTools } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/collector.ts';
import { examplePolicy } from './fixtures.ts';

let policyFile: string;
const clients: RunlensClient[] = [];

beforeAll(() => {
  policyFile = join(makeTempDir(), 'runlens.policy.yaml');
  writeFileSync(policyFile, examplePolicy('3'));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
});

const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } };

/** A model that asks for `calls` on its first turn and answers with text afterwards. */
function scriptedModel(calls: Array<{ id: string; name: string; input: unknown }>) {
  let turn = 0;
  return new MockLanguageModelV3({
    doGenerate: async () =>
      turn++ === 0
        ? {
            content: calls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.name, input: JSON.stringify(c.input) })),
            finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
            usage,
            warnings: [],
          }
        : { content: [{ type: 'text' as const, text: 'done' }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] },
  });
}

function makeTools(ran: string[]) {
  const schema = jsonSchema<Record<string, unknown>>({ type: 'object', additionalProperties: true });
  return {
    lookup_order: tool({ inputSchema: schema, execute: async (input) => (ran.push('lookup_order'), { id: input.id, total: 30 }) }),
    delete_customer: tool({ inputSchema: schema, execute: async () => (ran.push('delete_customer'), 'deleted') }),
    refund: tool({ inputSchema: schema, execute: async () => (ran.push('refund'), 'refunded') }),
  };
}

function client(extra: Partial<ConstructorParameters<typeof RunlensClient>[0]> = {}) {
  const exporter = new InMemorySpanExporter();
  const created = new RunlensClient({ service: 'support-agent', exporter, policy: policyFile, flushOnExit: false, ...extra });
  clients.push(created);
  return { client: created, exporter };
}

describe('policyTools for the Vercel AI SDK', () => {
  it('refuses a denied tool inside generateText and records the decision on its tool span', async () => {
    const ran: string[] = [];
    const { client: agent, exporter } = client();
    const tools = policyTools(agent, makeTools(ran));
    const result = await agent.run('support', () =>
      generateText({
        model: scriptedModel([
          { id: 'call_1', name: 'lookup_order', input: { id: 'o_1' } },
          { id: 'call_2', name: 'delete_customer', input: { id: 'c_1' } },
        ]),
        tools,
        prompt: 'clean up customer c_1',
        stopWhen: stepCountIs(2),
      }),
    );
    expect(ran).toEqual(['lookup_order']);
    const errors = result.steps[0]!.content.filter((part) => part.type === 'tool-error');
    expect(errors).toHaveLength(1);
    expect((errors[0] as { error: unknown }).error).toBeInstanceOf(ToolDeniedError);
    await agent.forceFlush();
    const spans = exporter.getFinishedSpans().filter((s) => s.name.startsWith('execute_tool'));
    const decisions = Object.fromEntries(spans.map((s) => [s.attributes['gen_ai.tool.name'], s.attributes['runlens.policy.decision']]));
    expect(decisions).toEqual({ lookup_order: 'allow', delete_customer: 'deny' });
    expect(spans.find((s) => s.attributes['gen_ai.tool.name'] === 'delete_customer')!.attributes['gen_ai.tool.call.id']).toBe('call_2');
  });

  it("lets the policy drive the ai package's tool approval, and judges who approved", async () => {
    const ran: string[] = [];
    const approvers = new Map<string, string>();
    const { client: agent } = client();
    const tools = policyTools(agent, makeTools(ran), {
      approvals: 'ai',
      approverOf: (toolCallId) => ({ decision: 'approve', approver: approvers.get(toolCallId) ?? 'nobody' }),
    });
    const model = scriptedModel([
      { id: 'call_big', name: 'refund', input: { order: 'o_1', amount: 250 } },
      { id: 'call_small', name: 'refund', input: { order: 'o_2', amount: 20 } },
    ]);
    await agent.run('support', { userId: 'dave' }, async () => {
      const first = await generateText({ model, tools, prompt: 'refund both orders', stopWhen: stepCountIs(2) });
      // The gated refund waits for approval; the small one ran.
      const requests = first.content.filter((part) => part.type === 'tool-approval-request');
      expect(requests).toHaveLength(1);
      const request = requests[0] as { approvalId: string; toolCall: { toolCallId: string } };
      expect(request.toolCall.toolCallId).toBe('call_big');
      expect(ran).toEqual(['refund']);

      // Bob (not in finance) approves in the app: the policy does not count it.
      approvers.set('call_big', 'bob');
      const messages: ModelMessage[] = [
        { role: 'user', content: 'refund both orders' },
        ...first.response.messages,
        { role: 'tool', content: [{ type: 'tool-approval-response', approvalId: request.approvalId, approved: true }] },
      ];
      const byBob = await generateText({ model: scriptedModel([]), tools, messages });
      // The package runs approved tools before calling the model; the result lands in the response messages.
      expect(JSON.stringify(byBob.response.messages)).toContain('bob is not a member of finance');
      expect(ran).toEqual(['refund']);

      // Alice (finance) approves: the refund runs.
      approvers.set('call_big', 'alice');
      const byAlice = await generateText({ model: scriptedModel([]), tools, messages });
      expect(ran).toEqual(['refund', 'refund']);
      expect(JSON.stringify(byAlice.response.messages)).toContain('refunded');
    });
  });
});
