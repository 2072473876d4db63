import { describe, expect, it } from 'vitest';
import type { RunFacts, RunSpanInput } from './otlp.ts';
import { deriveRun, nsToMs, versionLabel } from './run.ts';

const TRACE = '5b8aa5a2d2c872e8321cf37308d69df2';
const T0 = 1_767_225_600_000_000_000n;
const MS = 1_000_000n;

const NO_FACTS: RunFacts = {
  agentName: null,
  userId: null,
  sessionId: null,
  promptVersion: null,
  policyVersion: null,
  appVersion: null,
  outcome: null,
  escalation: null,
  budgetExceeded: null,
  policyViolations: 0,
};

function span(spanId: string, parentSpanId: string | null, fields: Partial<Omit<RunSpanInput, 'facts'>> & { facts?: Partial<RunFacts> } = {}): RunSpanInput {
  const { facts, ...rest } = fields;
  return {
    spanId,
    parentSpanId,
    name: spanId,
    kind: 'other',
    startNs: T0,
    endNs: T0 + 10n * MS,
    status: 'unset',
    statusMessage: null,
    errorType: null,
    service: 'support-agent',
    model: null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    costUsd: null,
    toolName: null,
    ...rest,
    facts: { ...NO_FACTS, ...facts },
  };
}

describe('deriveRun', () => {
  it('a trace without its root span yet is running', () => {
    const run = deriveRun(TRACE, [span('b', 'a', { kind: 'llm', inputTokens: 10, outputTokens: 2, costUsd: 0.01 })]);
    expect(run.outcome).toBe('running');
    expect(run.name).toBeNull();
    expect(run.llmCalls).toBe(1);
    expect(run.spanCount).toBe(1);
  });

  it('names the run after its root span and takes the times over all spans', () => {
    const run = deriveRun(TRACE, [
      span('child', 'root', { startNs: T0 - 5n * MS, endNs: T0 + 2000n * MS }),
      span('root', null, { name: 'invoke_agent weather', startNs: T0, endNs: T0 + 1500n * MS }),
    ]);
    expect(run.name).toBe('invoke_agent weather');
    expect(run.startTime).toBe(nsToMs(T0) - 5);
    expect(run.durationMs).toBe(2005);
    expect(run.outcome).toBe('success');
    expect(run.service).toBe('support-agent');
  });

  it('counts a Vercel-style root that repeats the usage of its steps only once', () => {
    // `ai.generateText` (classified llm by its model attribute) carries the totals of its two steps.
    const run = deriveRun(TRACE, [
      span('root', null, { kind: 'llm', name: 'ai.generateText', model: 'gpt-4o', inputTokens: 300, outputTokens: 30, costUsd: 0.003 }),
      span('step1', 'root', { kind: 'llm', model: 'gpt-4o', inputTokens: 100, outputTokens: 10, cachedTokens: 50, costUsd: 0.001 }),
      span('tool', 'root', { kind: 'tool', toolName: 'get_weather' }),
      span('step2', 'root', { kind: 'llm', model: 'gpt-4o', inputTokens: 200, outputTokens: 20, costUsd: 0.002 }),
    ]);
    expect(run.inputTokens).toBe(300);
    expect(run.outputTokens).toBe(30);
    expect(run.cachedTokens).toBe(50);
    expect(run.costUsd).toBeCloseTo(0.003, 10);
    expect(run.llmCalls).toBe(2);
    expect(run.toolCalls).toBe(1);
  });

  it('counts nested GenAI agents once and names the run after the outer agent', () => {
    const run = deriveRun(TRACE, [
      span('outer', null, { kind: 'agent', facts: { agentName: 'triage' }, inputTokens: 999, outputTokens: 999 }),
      span('inner', 'outer', { kind: 'agent', facts: { agentName: 'billing' }, inputTokens: 999 }),
      span('chat1', 'outer', { kind: 'llm', model: 'gpt-4o', inputTokens: 10, outputTokens: 1, costUsd: 0.1 }),
      span('chat2', 'inner', { kind: 'llm', model: 'claude-sonnet-4', inputTokens: 20, outputTokens: 2, costUsd: 0.2 }),
      span('chat3', 'inner', { kind: 'llm', model: 'claude-sonnet-4', inputTokens: 30, outputTokens: 3, costUsd: 0.3 }),
    ]);
    expect(run.agent).toBe('triage');
    expect(run.inputTokens).toBe(60);
    expect(run.outputTokens).toBe(6);
    expect(run.costUsd).toBeCloseTo(0.6, 10);
    expect(run.versions.model).toBe('claude-sonnet-4');
  });

  it('leaves the cost unknown when a counted call has tokens but no price', () => {
    const run = deriveRun(TRACE, [
      span('root', null, { kind: 'agent' }),
      span('a', 'root', { kind: 'llm', model: 'gpt-4o', inputTokens: 10, outputTokens: 1, costUsd: 0.1 }),
      span('b', 'root', { kind: 'llm', model: 'in-house-7b', inputTokens: 10, outputTokens: 1, costUsd: null }),
    ]);
    expect(run.costUsd).toBeNull();
    expect(run.inputTokens).toBe(20);
  });

  it('costs nothing when there was no llm call', () => {
    expect(deriveRun(TRACE, [span('root', null)]).costUsd).toBe(0);
  });

  it('an explicit outcome attribute wins over an error status', () => {
    const run = deriveRun(TRACE, [
      span('root', null, { status: 'error', statusMessage: 'boom', facts: { outcome: 'escalated' } }),
      span('child', 'root', { facts: { escalation: 'customer asked for a human' } }),
    ]);
    expect(run.outcome).toBe('escalated');
    expect(run.outcomeReason).toBe('customer asked for a human');
    expect(run.escalated).toBe(true);
  });

  it('an error status on the root is a failure, with its message as the reason', () => {
    const run = deriveRun(TRACE, [span('root', null, { status: 'error', statusMessage: '', errorType: 'TimeoutError' })]);
    expect(run.outcome).toBe('failure');
    expect(run.outcomeReason).toBe('TimeoutError');
  });

  it('an error on a child alone does not fail the run, but counts as a tool error', () => {
    const run = deriveRun(TRACE, [
      span('root', null, { status: 'ok' }),
      span('tool', 'root', { kind: 'tool', status: 'error', statusMessage: '404' }),
      span('tool2', 'root', { kind: 'tool', status: 'ok' }),
    ]);
    expect(run.outcome).toBe('success');
    expect(run.toolCalls).toBe(2);
    expect(run.toolErrors).toBe(1);
  });

  it('an escalation event makes the run escalated and a budget stop budget_exceeded', () => {
    const escalated = deriveRun(TRACE, [span('root', null), span('c', 'root', { facts: { escalation: '' } })]);
    expect(escalated.outcome).toBe('escalated');
    expect(escalated.outcomeReason).toBeNull();
    const stopped = deriveRun(TRACE, [span('root', null), span('c', 'root', { facts: { budgetExceeded: 'tokens 5200 > 5000' } })]);
    expect(stopped.outcome).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toBe(true);
    expect(stopped.outcomeReason).toBe('tokens 5200 > 5000');
  });

  it('reads versions, user and session from the root first, then from other spans', () => {
    const run = deriveRun(TRACE, [
      span('child', 'root', { startNs: T0 - MS, facts: { promptVersion: 'child-prompt', userId: 'u_child', appVersion: '1.4.0' } }),
      span('root', null, { facts: { promptVersion: 'v2', userId: 'u_7', sessionId: 'conv_42', policyViolations: 2 } }),
      span('other', 'root', { facts: { policyVersion: 'p1', policyViolations: 1 } }),
    ]);
    expect(run.versions).toEqual({ model: null, prompt: 'v2', policy: 'p1', app: '1.4.0' });
    expect(run.userId).toBe('u_7');
    expect(run.sessionId).toBe('conv_42');
    expect(run.policyViolations).toBe(3);
  });

  it('gives the same run whatever order the spans come in', () => {
    const spans = [
      span('root', null, { kind: 'agent', facts: { agentName: 'a' }, startNs: T0, endNs: T0 + 100n * MS }),
      span('l1', 'root', { kind: 'llm', model: 'm1', inputTokens: 5, costUsd: 0.5, startNs: T0 + MS }),
      span('l2', 'root', { kind: 'llm', model: 'm2', inputTokens: 5, costUsd: 0.5, startNs: T0 + 2n * MS }),
    ];
    const forward = deriveRun(TRACE, spans);
    expect(deriveRun(TRACE, [...spans].reverse())).toEqual(forward);
    // A tie between models goes to the one called first.
    expect(forward.versions.model).toBe('m1');
  });
});

describe('versionLabel', () => {
  it('spells the known versions in a fixed order and is empty when none is known', () => {
    expect(versionLabel({ prompt: 'v2', policy: null, app: '1.4.0' })).toBe('prompt=v2 app=1.4.0');
    expect(versionLabel({ prompt: null, policy: null, app: null })).toBe('');
  });
});
