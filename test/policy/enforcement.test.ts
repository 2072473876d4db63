// The SDK enforces the tool policy before a tool runs, against a real collector: refusals,
// endpoint allowlists, drafts and approvals decided in the collector's inbox or by onApproval.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApprovalRejectedError, RunlensClient, ToolDeniedError, isDraftedToolCall } from '@runlens/sdk';
import type { ApprovalRequest, OnApproval } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOk } from '../helpers/api.ts';
import { makeTempDir, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { eventually, examplePolicy, postJson, waitForTrace } from './fixtures.ts';

let collector: RunningCollector;
let policyFile: string;
const clients: RunlensClient[] = [];

beforeAll(async () => {
  collector = await startCollector();
  policyFile = join(makeTempDir(), 'runlens.policy.yaml');
  writeFileSync(policyFile, examplePolicy('3', '2s'));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  await collector?.stop();
});

function client(service: string, extra: Partial<ConstructorParameters<typeof RunlensClient>[0]> = {}): RunlensClient {
  const created = new RunlensClient({ service, endpoint: collector.url, policy: policyFile, flushOnExit: false, scheduledDelayMillis: 50, ...extra });
  clients.push(created);
  return created;
}

interface Pending {
  id: string;
  tool: string;
  traceId: string;
  status: string;
  arguments: unknown;
}

async function pendingFor(traceId: string): Promise<Pending> {
  return eventually(async () => {
    const { approvals } = await getOk<{ approvals: Pending[] }>(collector.url, '/api/approvals?status=pending');
    return approvals.find((a) => a.traceId === traceId);
  }, 10_000, `a pending approval for ${traceId}`);
}

describe('tool policy in the SDK', () => {
  it('never runs a denied tool and throws ToolDeniedError naming the rule and the tool', async () => {
    const agent = client('support-agent');
    let ran = false;
    let traceId = '';
    const error = await agent
      .run('support', async (run) => {
        traceId = run.traceId;
        return run.tool('delete_customer', { id: 'c_1' }, () => (ran = true));
      })
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as ToolDeniedError).rule).toBe('identities.support-agent.deny[0]');
    expect((error as ToolDeniedError).tool).toBe('delete_customer');
    await agent.forceFlush();
    const trace = await waitForTrace(collector.url, traceId);
    const tool = trace.spans.find((s) => s.kind === 'tool')!;
    expect(tool.attributes['runlens.policy.decision']).toBe('deny');
    expect(tool.attributes['runlens.policy.rule']).toBe('identities.support-agent.deny[0]');
    expect(tool.attributes['runlens.policy.version']).toBe('3');
    expect(tool.events.some((e) => e.name === 'runlens.policy.violation')).toBe(true);
    expect(trace.run.policyViolations).toBe(1);
    expect(trace.run.versions.policy).toBe('3');
  });

  it('refuses an http tool whose endpoint or method is outside the allowlist, and runs one inside it', async () => {
    const agent = client('support-agent');
    const calls: string[] = [];
    const fetchOrder = (args: { url: string; method: string }) => (calls.push(`${args.method} ${args.url}`), { ok: true });
    await agent.run('support', async (run) => {
      await expect(run.tool('http_get', { url: 'https://api.shop.example/orders/42', method: 'GET' }, fetchOrder)).resolves.toEqual({ ok: true });
      const wrongMethod = await run.tool('http_get', { url: 'https://api.shop.example/orders/42', method: 'DELETE' }, fetchOrder).catch((e: unknown) => e);
      const wrongHost = await run.tool('http_get', { url: 'https://evil.example/orders/42', method: 'GET' }, fetchOrder).catch((e: unknown) => e);
      const wrongPath = await run.tool('http_get', { url: 'https://api.shop.example/admin/users', method: 'GET' }, fetchOrder).catch((e: unknown) => e);
      for (const error of [wrongMethod, wrongHost, wrongPath]) {
        expect(error).toBeInstanceOf(ToolDeniedError);
        expect((error as ToolDeniedError).argument).toBe('url');
      }
    });
    expect(calls).toEqual(['GET https://api.shop.example/orders/42']);
  });

  it('holds every write as a draft under draft-only autonomy, records it and does not execute it', async () => {
    const agent = client('drafting-agent');
    let sent = false;
    let traceId = '';
    const result = await agent.run('drafter', async (run) => {
      traceId = run.traceId;
      const order = await run.tool('lookup_order', { id: 'o_1' }, () => ({ id: 'o_1', total: 30 }));
      expect(order).toEqual({ id: 'o_1', total: 30 });
      return run.tool('send_email', { to: 'customer@shop.example', body: 'Your refund is on its way' }, () => (sent = true));
    });
    expect(sent).toBe(false);
    expect(isDraftedToolCall(result)).toBe(true);
    const draftId = (result as unknown as { draftId: string }).draftId;
    await agent.forceFlush();
    const trace = await waitForTrace(collector.url, traceId, (t) => t.spans.filter((s) => s.kind === 'tool').length === 2);
    const email = trace.spans.find((s) => s.toolName === 'send_email')!;
    expect(email.attributes['runlens.policy.decision']).toBe('draft');
    const event = email.events.find((e) => e.name === 'runlens.action.draft')!;
    expect(event.attributes).toMatchObject({ tool: 'send_email', draftId });
    expect(String(event.attributes.arguments)).toContain('Your refund is on its way');
    const drafts = await eventually(async () => {
      const { drafts } = await getOk<{ drafts: Array<{ id: string; tool: string; traceId: string }> }>(collector.url, '/api/drafts');
      return drafts.find((d) => d.id === draftId);
    });
    expect(drafts).toMatchObject({ tool: 'send_email', traceId });
  });

  it('runs a call gated on approval once a member of the approver role approves it in the inbox', async () => {
    const agent = client('support-agent');
    let refunded = false;
    let traceId = '';
    const running = agent.run('support', { userId: 'dave' }, async (run) => {
      traceId = run.traceId;
      return run.tool('refund', { order: 'o_1', amount: 250 }, () => ((refunded = true), 'refunded'));
    });
    const pending = await eventually(async () => (traceId ? pendingFor(traceId) : undefined));
    expect(pending).toMatchObject({ tool: 'refund', arguments: { order: 'o_1', amount: 250 } });
    expect(refunded).toBe(false);
    const vote = await postJson(collector.url, `/api/approvals/${pending.id}`, { decision: 'approve', comment: 'checked the order', approver: 'alice' });
    expect(vote.status).toBe(200);
    await expect(running).resolves.toBe('refunded');
    expect(refunded).toBe(true);
    await agent.forceFlush();
    const trace = await waitForTrace(collector.url, traceId);
    const tool = trace.spans.find((s) => s.kind === 'tool')!;
    expect(tool.attributes['runlens.policy.decision']).toBe('approval_required');
    const approval = tool.events.find((e) => e.name === 'runlens.approval')!;
    expect(approval.attributes).toMatchObject({ approver: 'alice', role: 'finance', decision: 'approve', action: 'refund' });
    expect(typeof approval.attributes.waited_ms).toBe('number');
    expect(trace.run.outcome).toBe('success');
  });

  it('does not run the call when someone outside the role approves it, and escalates the run', async () => {
    const agent = client('support-agent');
    let refunded = false;
    let traceId = '';
    const running = agent.run('support', { userId: 'dave' }, async (run) => {
      traceId = run.traceId;
      return run.tool('refund', { order: 'o_2', amount: 500 }, () => (refunded = true));
    });
    const outcome = running.catch((e: unknown) => e);
    const pending = await eventually(async () => (traceId ? pendingFor(traceId) : undefined));
    const vote = await postJson<{ error: string }>(collector.url, `/api/approvals/${pending.id}`, { decision: 'approve', approver: 'bob' });
    expect(vote.status).toBe(403);
    expect(vote.body.error).toContain('bob is not a member of finance');
    const error = await outcome;
    expect(error).toBeInstanceOf(ApprovalRejectedError);
    expect((error as ApprovalRejectedError).status).toBe('not_allowed');
    expect(refunded).toBe(false);
    await agent.forceFlush();
    const trace = await waitForTrace(collector.url, traceId);
    expect(trace.run.outcome).toBe('escalated');
  });

  it('does not count an approval by the user who started the run when separation of duties is set', async () => {
    const agent = client('support-agent');
    let refunded = false;
    let traceId = '';
    const outcome = agent
      .run('support', { userId: 'alice' }, async (run) => {
        traceId = run.traceId;
        return run.tool('refund', { order: 'o_3', amount: 900 }, () => (refunded = true));
      })
      .catch((e: unknown) => e);
    const pending = await eventually(async () => (traceId ? pendingFor(traceId) : undefined));
    const vote = await postJson<{ error: string }>(collector.url, `/api/approvals/${pending.id}`, { decision: 'approve', approver: 'alice' });
    expect(vote.status).toBe(403);
    expect(vote.body.error).toContain('separation of duties');
    expect(await outcome).toBeInstanceOf(ApprovalRejectedError);
    expect(refunded).toBe(false);
  });

  it('does not count an approval given after the request expired', async () => {
    const agent = client('support-agent');
    let refunded = false;
    let traceId = '';
    const outcome = agent
      .run('support', { userId: 'dave' }, async (run) => {
        traceId = run.traceId;
        return run.tool('refund', { order: 'o_4', amount: 120 }, () => (refunded = true));
      })
      .catch((e: unknown) => e);
    const pending = await eventually(async () => (traceId ? pendingFor(traceId) : undefined));
    const error = await outcome; // the rule expires after 2 s
    expect(error).toBeInstanceOf(ApprovalRejectedError);
    expect((error as ApprovalRejectedError).status).toBe('expired');
    const late = await postJson<{ error: string }>(collector.url, `/api/approvals/${pending.id}`, { decision: 'approve', approver: 'carol' });
    expect(late.status).toBe(409);
    expect(late.body.error).toContain('expired');
    expect(refunded).toBe(false);
  });

  it('asks onApproval when the application gives one, and judges its answer with the policy', async () => {
    const asked: ApprovalRequest[] = [];
    const answers = ['carol', 'mallory'];
    const onApproval: OnApproval = (request) => (asked.push(request), { decision: 'approve', approver: answers[asked.length - 1]!, comment: 'ok' });
    const agent = client('support-agent', { onApproval });
    await agent.run('support', { userId: 'dave' }, async (run) => {
      await expect(run.tool('refund', { order: 'o_5', amount: 101 }, () => 'done')).resolves.toBe('done');
      await expect(run.tool('refund', { order: 'o_6', amount: 101 }, () => 'done')).rejects.toBeInstanceOf(ApprovalRejectedError);
      // Under the limit no approval is needed.
      await expect(run.tool('refund', { order: 'o_7', amount: 20 }, () => 'small')).resolves.toBe('small');
    });
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({ tool: 'refund', initiatingUser: 'dave', rule: 'identities.support-agent.approval[0]', requirement: { approvers: ['finance'] } });
  });
});
