// With ingest keys and users configured (no open mode): the agent reads its policy and files its
// approval request with its ingest key, and only a signed-in user's own name counts as approver.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApprovalRejectedError, RunlensClient } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { eventually, examplePolicy, postJson } from './fixtures.ts';

let collector: RunningCollector;
const tokens: Record<string, string> = {};
const clients: RunlensClient[] = [];

async function created(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.split('\n')[0]!.trim();
}

beforeAll(async () => {
  const db = tempDbPath();
  const file = join(makeTempDir(), 'runlens.policy.yaml');
  writeFileSync(file, examplePolicy('3'));
  // Creating a key or a user creates the database; the policy is applied to it before serving.
  tokens.agent = await created(['keys', 'create', 'support-agent', '--db', db]);
  tokens.alice = await created(['users', 'create', 'alice', '--db', db]);
  tokens.bob = await created(['users', 'create', 'bob', '--db', db]);
  expect((await runCli(['policy', 'apply', file, '--db', db])).code).toBe(0);
  collector = await startCollector({ db });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  await collector?.stop();
});

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

describe('approvals with keys and users', () => {
  it('lets a signed-in member of the role approve, whatever name the body gives, and refuses the same answer from a non-member', async () => {
    const agent = new RunlensClient({ service: 'support-agent', endpoint: collector.url, headers: as('agent'), policy: 'remote', flushOnExit: false });
    clients.push(agent);
    const pending = async (traceId: string) =>
      eventually(async () => {
        const response = await fetch(`${collector.url}/api/approvals?status=pending`, { headers: as('alice') });
        const { approvals } = (await response.json()) as { approvals: Array<{ id: string; traceId: string; filedBy: string }> };
        return approvals.find((a) => a.traceId === traceId);
      });

    let first = '';
    const approved = agent.run('support', { userId: 'dave' }, async (run) => {
      first = run.traceId;
      return run.tool('refund', { order: 'o_1', amount: 300 }, () => 'refunded');
    });
    const request = await eventually(async () => (first ? pending(first) : undefined));
    expect(request.filedBy).toBe('ingest:support-agent');
    // The agent's key cannot decide, and an anonymous caller is not signed in.
    expect((await postJson(collector.url, `/api/approvals/${request.id}`, { decision: 'approve' }, as('agent'))).status).toBe(403);
    expect((await postJson(collector.url, `/api/approvals/${request.id}`, { decision: 'approve', approver: 'alice' })).status).toBe(401);
    const vote = await postJson<{ approval: { votes: Array<{ approver: string }> } }>(collector.url, `/api/approvals/${request.id}`, { decision: 'approve', approver: 'mallory' }, as('alice'));
    expect(vote.status).toBe(200);
    expect(vote.body.approval.votes.map((v) => v.approver)).toEqual(['alice']);
    await expect(approved).resolves.toBe('refunded');

    let second = '';
    const refused = agent
      .run('support', { userId: 'dave' }, async (run) => {
        second = run.traceId;
        return run.tool('refund', { order: 'o_2', amount: 300 }, () => 'refunded');
      })
      .catch((e: unknown) => e);
    const other = await eventually(async () => (second ? pending(second) : undefined));
    expect((await postJson(collector.url, `/api/approvals/${other.id}`, { decision: 'approve', approver: 'alice' }, as('bob'))).status).toBe(403);
    expect(await refused).toBeInstanceOf(ApprovalRejectedError);
    // The policy is readable by people too, with its history.
    const policy = await fetch(`${collector.url}/api/policy`, { headers: as('bob') });
    expect(((await policy.json()) as { versions: unknown[] }).versions).toHaveLength(1);
  });
});
