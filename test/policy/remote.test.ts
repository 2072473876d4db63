// init({ policy: 'remote' }): a policy applied at the collector (`runlens policy apply`) reaches a
// running agent within the documented bound (policyRefreshMs + one 5 s request); an outage keeps
// the last policy; with none ever known, only tools marked readOnly run (fail closed).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunlensClient, ToolDeniedError } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { eventually, examplePolicy } from './fixtures.ts';

const REFRESH_MS = 500;
/** The documented bound: one refresh interval plus one request timeout (POLICY_REQUEST_TIMEOUT_MS). */
const BOUND_MS = REFRESH_MS + 5_000;

let collector: RunningCollector;
let dir: string;
const clients: RunlensClient[] = [];

/** `runlens policy apply`, writing the database file or (`through: 'url'`) through the running collector. */
async function apply(version: string, text: string, through: 'db' | 'url' = 'db'): Promise<void> {
  const file = join(dir, `policy-${version}.yaml`);
  writeFileSync(file, text);
  const result = await runCli(['policy', 'apply', file, ...(through === 'db' ? ['--db', collector.dbPath] : ['--url', collector.url])]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain(`applied policy version ${version}`);
}

beforeAll(async () => {
  collector = await startCollector();
  dir = makeTempDir();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  await collector?.stop();
});

function remoteClient(endpoint: string): RunlensClient {
  const client = new RunlensClient({ service: 'support-agent', endpoint, policy: 'remote', policyRefreshMs: REFRESH_MS, flushOnExit: false });
  clients.push(client);
  return client;
}

async function sendEmail(client: RunlensClient): Promise<'sent' | ToolDeniedError> {
  return client.run('support', (run) => run.tool('send_email', { to: 'a@shop.example' }, () => 'sent' as const)).catch((error: ToolDeniedError) => error);
}

describe('a policy applied at the collector', () => {
  it('reaches a running agent within the refresh bound, and an outage keeps the last policy', async () => {
    await apply('1', examplePolicy('1'));
    const agent = remoteClient(collector.url);
    expect(await sendEmail(agent)).toBe('sent');

    // Version 2 no longer allows send_email for the support agent.
    await apply('2', examplePolicy('2').replace('      - tool: refund\n      - tool: send_email\n', '      - tool: refund\n'), 'url');
    const appliedAt = Date.now();
    const refused = await eventually(async () => {
      const result = await sendEmail(agent);
      return result instanceof ToolDeniedError ? result : undefined;
    }, BOUND_MS + 2_000, 'version 2 to reach the agent');
    expect(Date.now() - appliedAt).toBeLessThan(BOUND_MS);
    expect(refused.policyVersion).toBe('2');

    // The collector goes away: the agent keeps enforcing version 2.
    await collector.stop();
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS * 3));
    const during = await sendEmail(agent);
    expect(during).toBeInstanceOf(ToolDeniedError);
    expect((during as ToolDeniedError).policyVersion).toBe('2');
    await expect(agent.run('support', (run) => run.tool('lookup_order', { id: 'o_1' }, () => 'found'))).resolves.toBe('found');
  });

  it('refuses tools not marked readOnly when no policy was ever known', async () => {
    const agent = remoteClient('http://127.0.0.1:9'); // nothing listens there
    const error = await sendEmail(agent);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as ToolDeniedError).rule).toBe('no-policy');
    await expect(agent.run('support', (run) => run.tool('lookup_order', { id: 'o_1' }, () => 'found', { readOnly: true }))).resolves.toBe('found');
  });
});
